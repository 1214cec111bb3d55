import HeraldCore
import HeraldJSON
import HeraldNotifiers
import Testing

@Suite("Provider construction: address, Secret, proxy, TLS (reference §4.0)")
struct ProviderSettingsTests {
    typealias F = NotifierFixture

    // MARK: address

    @Test("§4.0 the Secret address overrides spec.address, trimmed")
    func secretAddressOverrides() throws {
        let provider = F.provider(.slack, address: "https://spec.example.com/hook", secretRef: "url")
        let request = try F.request(provider, secrets: ["url": ["address": "  https://hooks.slack.com/services/T0/B0/SECRET\n"]])
        #expect(request.url == "https://hooks.slack.com/services/T0/B0/SECRET")
    }

    @Test("§4.0 a Secret without address keeps spec.address")
    func specAddressKept() throws {
        let provider = F.provider(.generic, address: "https://spec.example.com/hook", secretRef: "s")
        #expect(try F.request(provider, secrets: ["s": ["token": "t"]]).url == "https://spec.example.com/hook")
    }

    @Test("§4.0 a Secret address longer than 2048 bytes is an error; 2048 bytes is fine")
    func addressLength() throws {
        let base = "https://example.com/"
        let fits = base + String(repeating: "a", count: 2048 - base.utf8.count)
        let provider = F.provider(.generic, secretRef: "url")
        #expect(try F.request(provider, secrets: ["url": ["address": fits]]).url == fits)
        let error = #expect(throws: ProviderError.self) { try F.client(provider, secrets: ["url": ["address": fits + "a"]]) }
        #expect(error == .addressTooLong)
        #expect(error?.description == "invalid address in secret: address exceeds maximum length of 2048 bytes")
        let multibyte = base + String(repeating: "é", count: 1015)  // 20 + 2030 bytes, 1035 characters
        let utf8 = #expect(throws: ProviderError.self) { try F.client(provider, secrets: ["url": ["address": multibyte]]) }
        #expect(utf8 == .addressTooLong)
    }

    @Test("§4.0 a missing secretRef Secret is an error naming it")
    func missingSecret() {
        let error = #expect(throws: ProviderError.self) {
            try F.client(F.provider(.slack, address: "https://hooks.slack.com/x", secretRef: "gone"))
        }
        #expect(error == .secretNotFound(ObjectKey(namespace: "gitops-system", name: "gone")))
        #expect(error?.description.contains("gitops-system/gone") == true)
    }

    // MARK: errors never carry Secret values

    struct LeakCase: Sendable, CustomTestStringConvertible {
        let name: String
        let provider: Provider
        let secret: [String: String]
        var testDescription: String { name }
    }

    static let secretAddress = "hooks.example.com/services/T0/B0/SECRETPATH"

    static let leakCases: [LeakCase] = [
        LeakCase(
            name: "relative Secret address (slack)", provider: F.provider(.slack, address: "https://ok.example.com/", secretRef: "s"),
            secret: ["address": secretAddress, "token": F.token]),
        LeakCase(
            name: "ftp Secret address (generic)", provider: F.provider(.generic, secretRef: "s"),
            secret: ["address": "ftp://" + secretAddress, "token": F.token]),
        LeakCase(
            name: "relative Secret address (msteams)", provider: F.provider(.msteams, secretRef: "s"), secret: ["address": secretAddress]),
        LeakCase(
            name: "unparsable Secret git address (github)", provider: F.provider(.github, secretRef: "s"),
            secret: ["address": secretAddress + " " + F.token, "token": F.token]),
        LeakCase(
            name: "unparsable Secret git address (gitlab)", provider: F.provider(.gitlab, secretRef: "s"),
            secret: ["address": "https//" + secretAddress, "token": F.token]),
        LeakCase(
            name: "too long Secret address", provider: F.provider(.generic, secretRef: "s"),
            secret: ["address": "https://" + secretAddress + String(repeating: "x", count: 2100)]),
        LeakCase(
            name: "headers that are not YAML", provider: F.provider(.generic, address: "https://ok.example.com/", secretRef: "s"),
            secret: ["headers": "Authorization: Bearer \(F.token): [", "token": F.token]),
        LeakCase(
            name: "headers with a non-string value", provider: F.provider(.generic, address: "https://ok.example.com/", secretRef: "s"),
            secret: ["headers": "X-Token: [\(F.token)]"]),
        LeakCase(
            name: "Secret proxy that is not a URL", provider: F.provider(.slack, address: "https://ok.example.com/", secretRef: "s"),
            secret: ["proxy": "proxy:\(F.token)", "token": F.token]),
        LeakCase(
            name: "Secret proxy with an unsupported scheme",
            provider: F.provider(.slack, address: "https://ok.example.com/", secretRef: "s"),
            secret: ["proxy": "ftp://user:\(F.token)@proxy", "token": F.token]),
        LeakCase(
            name: "github invalid repository with a token",
            provider: F.provider(.github, address: "https://github.com/only-owner", secretRef: "s"), secret: ["token": F.token]),
        LeakCase(
            name: "github App keys", provider: F.provider(.github, address: "https://github.com/o/r", secretRef: "s"),
            secret: ["githubAppID": "1", "githubAppPrivateKey": F.token]),
    ]

    @Test("§5/STYLE: ProviderError descriptions never contain the token or a Secret address", arguments: leakCases)
    func errorsDoNotLeak(_ example: LeakCase) {
        let error = #expect(throws: ProviderError.self) { try F.client(example.provider, secrets: ["s": example.secret]) }
        let text = error?.description ?? ""
        #expect(!text.isEmpty)
        #expect(!text.contains(F.token), "\(text)")
        #expect(!text.contains("SECRETPATH"), "\(text)")
        if let address = example.secret["address"] { #expect(!text.contains(address), "\(text)") }
    }

    @Test("§5 the client lists the credential values to mask: token, password, Secret address, proxy password, header values")
    func secretValuesForMasking() throws {
        let provider = F.provider(.generic, secretRef: "s", proxySecretRef: "p")
        let client = try F.client(
            provider,
            secrets: [
                "s": [
                    "address": "https://hooks.example.com/SECRETPATH", "token": F.token, "username": "u", "password": "pw-1",
                    "headers": "X-Key: hv-1",
                ],
                "p": ["address": "http://proxy:3128", "username": "pu", "password": "pp-1"],
            ])
        for value in ["https://hooks.example.com/SECRETPATH", F.token, "pw-1", "pp-1", "hv-1"] {
            #expect(client.secretValues.contains(value), "\(value)")
        }
    }

    // MARK: proxy

    @Test("§4.0 proxy: spec.proxy alone")
    func specProxy() throws {
        let client = try F.client(F.provider(.slack, address: "https://hooks.slack.com/x", proxy: "http://spec-proxy:3128"))
        #expect(client.transport.proxy == ProxySettings(scheme: "http", host: "spec-proxy", port: 3128))
    }

    @Test("§4.0 proxy precedence: the Secret proxy beats spec.proxy")
    func secretProxyBeatsSpec() throws {
        let client = try F.client(
            F.provider(.slack, address: "https://hooks.slack.com/x", proxy: "http://spec-proxy:3128", secretRef: "s"),
            secrets: ["s": ["proxy": "https://secret-proxy"]])
        #expect(client.transport.proxy == ProxySettings(scheme: "https", host: "secret-proxy", port: 443))
    }

    @Test("§4.0 proxy precedence: proxySecretRef (address, username, password) beats both")
    func proxySecretRefWins() throws {
        let client = try F.client(
            F.provider(.slack, address: "https://hooks.slack.com/x", proxy: "http://spec-proxy:3128", secretRef: "s", proxySecretRef: "p"),
            secrets: [
                "s": ["proxy": "http://secret-proxy:8080"],
                "p": ["address": "http://ref-proxy:8888", "username": "alice", "password": "pw"],
            ])
        #expect(client.transport.proxy == ProxySettings(scheme: "http", host: "ref-proxy", port: 8888, username: "alice", password: "pw"))
    }

    @Test(
        "§4.0 proxySecretRef supports http, https and socks5",
        arguments: [("http://p:1", "http", 1), ("https://p", "https", 443), ("socks5://p", "socks5", 1080)])
    func proxySchemes(address: String, scheme: String, port: Int) throws {
        let client = try F.client(
            F.provider(.rocket, address: "https://rocket.example.com/h", proxySecretRef: "p"), secrets: ["p": ["address": address]])
        #expect(client.transport.proxy == ProxySettings(scheme: scheme, host: "p", port: port))
    }

    @Test("§4.0 proxySecretRef: address is required and must be a supported URL")
    func proxySecretRefErrors() {
        let provider = F.provider(.slack, address: "https://hooks.slack.com/x", proxySecretRef: "p")
        for secret in [["username": "u"], ["address": "ftp://p"], ["address": "p:3128"]] {
            let error = #expect(throws: ProviderError.self) { try F.client(provider, secrets: ["p": secret]) }
            guard case .invalidProxy? = error else {
                Issue.record("expected invalidProxy for \(secret.keys.sorted()), got \(String(describing: error))")
                continue
            }
        }
        let missing = #expect(throws: ProviderError.self) { try F.client(provider) }
        #expect(missing == .secretNotFound(ObjectKey(namespace: "gitops-system", name: "p")))
    }

    @Test("§4.0 proxy user info in the URL becomes the proxy credentials (percent-decoded)")
    func proxyUserInfo() throws {
        let client = try F.client(F.provider(.slack, address: "https://hooks.slack.com/x", proxy: "http://bob:p%40ss@proxy:3128"))
        #expect(client.transport.proxy == ProxySettings(scheme: "http", host: "proxy", port: 3128, username: "bob", password: "p@ss"))
    }

    @Test(
        "§4.0 matrix: gitlab and github (status writes) use no proxy; discord does",
        arguments: [(ProviderType.gitlab, false), (.github, false), (.discord, true), (.msteams, true), (.generic, true)])
    func proxySupport(type: ProviderType, supported: Bool) throws {
        let address =
            type == .gitlab ? "https://gitlab.com/a/b" : type == .github ? "https://github.com/a/b" : "https://hooks.example.com/x"
        let client = try F.client(
            F.provider(type, address: address, proxy: "http://proxy:3128", secretRef: "s"), secrets: ["s": ["token": "t"]])
        #expect((client.transport.proxy != nil) == supported)
    }

    // MARK: TLS

    @Test("§4.0 certSecretRef: ca.crt only → custom roots, no client certificate")
    func tlsCAOnly() throws {
        let client = try F.client(
            F.provider(.generic, address: "https://r.example.com/", certSecretRef: "tls"), secrets: ["tls": ["ca.crt": F.caPEM]])
        #expect(client.transport.tls == TLSMaterial(caPEM: F.caPEM))
    }

    @Test("§4.0 certSecretRef: tls.crt + tls.key only → client certificate, system roots")
    func tlsPairOnly() throws {
        let client = try F.client(
            F.provider(.generic, address: "https://r.example.com/", certSecretRef: "tls"),
            secrets: ["tls": ["tls.crt": F.certPEM, "tls.key": F.keyPEM]])
        #expect(client.transport.tls == TLSMaterial(certificatePEM: F.certPEM, privateKeyPEM: F.keyPEM))
        #expect(client.secretValues.contains(F.keyPEM))
    }

    @Test("§4.0 certSecretRef: CA and pair together")
    func tlsBoth() throws {
        let client = try F.client(
            F.provider(.slack, address: "https://r.example.com/", certSecretRef: "tls"),
            secrets: ["tls": ["ca.crt": F.caPEM, "tls.crt": F.certPEM, "tls.key": F.keyPEM]])
        #expect(client.transport.tls == TLSMaterial(caPEM: F.caPEM, certificatePEM: F.certPEM, privateKeyPEM: F.keyPEM))
    }

    @Test(
        "§4.0 certSecretRef: only one of tls.crt/tls.key is an error",
        arguments: [
            ["tls.crt": NotifierFixture.certPEM], ["tls.key": NotifierFixture.keyPEM],
            ["ca.crt": NotifierFixture.caPEM, "tls.crt": NotifierFixture.certPEM],
        ])
    func tlsHalfPair(_ secret: [String: String]) {
        let error = #expect(throws: ProviderError.self) {
            try F.client(F.provider(.generic, address: "https://r.example.com/", certSecretRef: "tls"), secrets: ["tls": secret])
        }
        guard case .invalidTLS? = error else {
            Issue.record("expected invalidTLS, got \(String(describing: error))")
            return
        }
    }

    @Test("§4.0 certSecretRef: neither a CA nor a pair is an error; an invalid CA is an error")
    func tlsNeither() {
        for secret in [[:], ["token": "x"], ["ca.crt": "not a certificate"]] as [[String: String]] {
            let error = #expect(throws: ProviderError.self) {
                try F.client(F.provider(.generic, address: "https://r.example.com/", certSecretRef: "tls"), secrets: ["tls": secret])
            }
            guard case .invalidTLS? = error else {
                Issue.record("expected invalidTLS for \(secret.keys.sorted()), got \(String(describing: error))")
                continue
            }
        }
        let missing = #expect(throws: ProviderError.self) {
            try F.client(F.provider(.generic, address: "https://r.example.com/", certSecretRef: "tls"))
        }
        #expect(missing == .secretNotFound(ObjectKey(namespace: "gitops-system", name: "tls")))
    }

    @Test("§4.0 certSecretRef: legacy caFile/certFile/keyFile as fallback, standard keys win")
    func tlsLegacyKeys() throws {
        let provider = F.provider(.generic, address: "https://r.example.com/", certSecretRef: "tls")
        let legacy = try F.client(provider, secrets: ["tls": ["caFile": F.caPEM, "certFile": F.certPEM, "keyFile": F.keyPEM]])
        #expect(legacy.transport.tls == TLSMaterial(caPEM: F.caPEM, certificatePEM: F.certPEM, privateKeyPEM: F.keyPEM))
        let both = try F.client(provider, secrets: ["tls": ["caFile": F.otherCAPEM, "ca.crt": F.caPEM]])
        #expect(both.transport.tls?.caPEM == F.caPEM)
    }

    @Test("§4.0 commit-status types take TLS from the main Secret when there is no certSecretRef; others do not")
    func tlsFromMainSecret() throws {
        let gitlab = try F.client(
            F.provider(.gitlab, address: "https://gitlab.example.com/a/b", secretRef: "s"),
            secrets: ["s": ["token": "t", "ca.crt": F.caPEM]])
        #expect(gitlab.transport.tls == TLSMaterial(caPEM: F.caPEM))
        let slack = try F.client(
            F.provider(.slack, address: "https://hooks.slack.com/x", secretRef: "s"), secrets: ["s": ["token": "t", "ca.crt": F.caPEM]])
        #expect(slack.transport.tls == nil)
        let plain = try F.client(
            F.provider(.gitlab, address: "https://gitlab.example.com/a/b", secretRef: "s"), secrets: ["s": ["token": "t"]])
        #expect(plain.transport.tls == nil)
    }

    @Test("§4.0 matrix: TLS for github only on Enterprise hosts; never for discord")
    func tlsSupport() throws {
        let secrets = ["s": ["token": "t"], "tls": ["ca.crt": F.caPEM]]
        let enterprise = try F.client(
            F.provider(.github, address: "https://github.example.com/o/r", secretRef: "s", certSecretRef: "tls"), secrets: secrets)
        #expect(enterprise.transport.tls?.caPEM == F.caPEM)
        let dotCom = try F.client(
            F.provider(.github, address: "https://github.com/o/r", secretRef: "s", certSecretRef: "tls"), secrets: secrets)
        #expect(dotCom.transport.tls == nil)
        let discord = try F.client(
            F.provider(.discord, address: "https://discord.com/api/webhooks/1/T", certSecretRef: "tls"), secrets: secrets)
        #expect(discord.transport.tls == nil)
    }

    // MARK: timeout

    @Test("§2.3/§5 the transport timeout is spec.timeout, 15 s by default")
    func timeout() throws {
        #expect(try F.client(F.provider(.slack, address: "https://hooks.slack.com/x")).transport.timeout == .seconds(15))
        #expect(
            try F.client(F.provider(.slack, address: "https://hooks.slack.com/x", timeout: .seconds(5))).transport.timeout == .seconds(5))
    }
}

@Suite("NotifierFactory (reference §4)")
struct NotifierFactoryTests {
    typealias F = NotifierFixture

    @Test("every Provider type of the Flux API has a notifier in the registry")
    func everyType() {
        #expect(Set(NotifierFactory.supportedTypes) == Set(ProviderType.allCases))
    }

    @Test("every supported type declares the settings it reads, at least an address or a channel")
    func registryDeclarations() {
        for type in NotifierFactory.supportedTypes {
            let honours = ProviderRegistry.entries[type]?.honours ?? []
            #expect(!honours.isDisjoint(with: [.address, .channel]), "\(type)")
        }
    }
}
