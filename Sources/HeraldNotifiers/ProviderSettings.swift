import HeraldCore
import HeraldJSON

/// A Provider's settings with its Secrets applied (reference §4.0): what every notifier starts from.
public struct ProviderSettings: Sendable {
    public var provider: Provider
    public var address: String
    public var addressFromSecret: Bool
    public var token: String
    public var username: String
    public var password: String
    /// Extra headers from the Secret's `headers` key, sorted by name.
    public var headers: [(name: String, value: String)]
    public var transport: TransportOptions
    /// Every credential value, for masking error texts and logs.
    public var secretValues: [String]
    /// The `secretRef` Secret, key by key; whatever a notifier reads through it is masked.
    public let secret: SecretAccess

    /// Looks up a Secret in the Provider's namespace by name.
    public typealias SecretLookup = (_ name: String) -> Secret?

    /// Applies the Provider's Secrets as reference §4.0 says; every credential read is added to
    /// `secretValues`, so error texts and logs can mask it.
    public init(provider: Provider, secrets: SecretLookup) throws(ProviderError) {
        self.provider = provider
        var values = SecretRefValues(provider: provider)
        if let name = provider.secretRef { try values.apply(try Self.secret(name, of: provider, in: secrets), type: provider.type) }
        address = values.address
        addressFromSecret = values.addressFromSecret
        token = values.token
        username = values.username
        password = values.password
        headers = values.headers
        secret = SecretAccess(values.data)
        var masked = values.secretValues
        let proxy = try Self.proxy(of: provider, text: values.proxyText, secrets: secrets, masked: &masked)
        var tls = values.tls
        if let name = provider.certSecretRef { tls = try Self.tls(from: try Self.secret(name, of: provider, in: secrets), optional: false) }
        if let key = tls?.privateKeyPEM { masked.append(key) }
        secretValues = masked
        transport = TransportOptions(timeout: provider.effectiveTimeout, proxy: proxy, tls: tls)
    }

    /// What the `secretRef` Secret overrides or adds to the Provider's own fields (reference §4.0).
    private struct SecretRefValues {
        var address: String
        var addressFromSecret = false
        var token = ""
        var username: String
        var password = ""
        var headers: [(name: String, value: String)] = []
        var proxyText: String
        var tls: TLSMaterial?
        var data: [String: String] = [:]
        var secretValues: [String] = []

        init(provider: Provider) {
            address = provider.address
            username = provider.username
            proxyText = provider.proxy
        }

        mutating func apply(_ secret: Secret, type: ProviderType) throws(ProviderError) {
            data = secret.values
            if let value = secret["address"] {
                let trimmed = value.trimmingWhitespace
                guard trimmed.utf8.count <= 2048 else { throw .addressTooLong }
                address = trimmed
                addressFromSecret = true
                secretValues.append(trimmed)
            }
            if let value = secret["token"], !value.isEmpty {
                token = value
                secretValues.append(value)
            }
            // Decision (reference §4.0 marks the Go quirk unverified): a Secret with only one of
            // username/password applies what it has instead of silently disabling every credential.
            if let value = secret["username"], !value.isEmpty { username = value }
            if let value = secret["password"], !value.isEmpty {
                password = value
                secretValues.append(value)
            }
            if let text = secret["headers"] {
                headers = try ProviderSettings.parseHeaders(text)
                secretValues.append(contentsOf: headers.map(\.value).filter { !$0.isEmpty })
            }
            if let value = secret["proxy"], !value.isEmpty { proxyText = value }
            if type.isCommitStatus { tls = try ProviderSettings.tls(from: secret, optional: true) }
        }
    }

    private static func secret(_ name: String, of provider: Provider, in secrets: SecretLookup) throws(ProviderError) -> Secret {
        guard let secret = secrets(name) else { throw .secretNotFound(ObjectKey(namespace: provider.key.namespace, name: name)) }
        return secret
    }

    /// The proxy: `spec.proxy` or the Secret's `proxy` key, overridden by `proxySecretRef` (whose password is masked).
    private static func proxy(
        of provider: Provider, text: String, secrets: SecretLookup, masked: inout [String]
    ) throws(ProviderError) -> ProxySettings? {
        guard let name = provider.proxySecretRef else {
            return text.isEmpty ? nil : try proxy(from: text, username: nil, password: nil)
        }
        if !text.isEmpty { _ = try proxy(from: text, username: nil, password: nil) }
        let secret = try secret(name, of: provider, in: secrets)
        guard let address = secret["address"], !address.isEmpty else {
            throw .invalidProxy("Secret \(provider.key.namespace)/\(name) has no 'address' key")
        }
        guard address.utf8.count <= 2048 else { throw .invalidProxy("address exceeds maximum length of 2048 bytes") }
        let proxy = try proxy(from: address, username: secret["username"], password: secret["password"])
        if let password = secret["password"], !password.isEmpty { masked.append(password) }
        return proxy
    }

    /// The Secret's `headers` key: a YAML (or JSON) map of header names to values.
    static func parseHeaders(_ text: String) throws(ProviderError) -> [(name: String, value: String)] {
        let documents: [JSONValue]
        do { documents = try YAMLDocuments.parse(text) } catch { throw .invalidHeaders("not YAML: \(error.reason)") }
        guard let document = documents.first, documents.count == 1 else { throw .invalidHeaders("expected one YAML map") }
        if document.isNull { return [] }
        guard case .object(let map) = document else { throw .invalidHeaders("expected a map of header names to values") }
        var result: [(name: String, value: String)] = []
        for (name, value) in map {
            switch value {
            case .string(let text), .number(let text): result.append((name, text))
            case .bool(let flag): result.append((name, flag ? "true" : "false"))
            default: throw .invalidHeaders("header \(name): expected a string value")
            }
        }
        return result.sorted { $0.name < $1.name }
    }

    /// A proxy address as Flux reads it (`http`, `https` or `socks5`; credentials from user info unless given).
    public static func proxy(from text: String, username: String?, password: String?) throws(ProviderError) -> ProxySettings {
        // The address is not repeated: it may carry credentials in its user info.
        guard let address = WebAddress(text) else { throw .invalidProxy("not an absolute URL") }
        guard ["http", "https", "socks5"].contains(address.scheme) else {
            throw .invalidProxy("unsupported scheme \(address.scheme); use http, https or socks5")
        }
        var user = username
        var pass = password
        if let info = address.userInfo, user == nil {
            let parts = info.split(separator: ":", maxSplits: 1).map(String.init)
            user = parts.first.map(percentDecode)
            pass = parts.count > 1 ? percentDecode(parts[1]) : nil
        }
        let defaultPort = address.scheme == "https" ? 443 : address.scheme == "socks5" ? 1080 : 80
        return ProxySettings(
            scheme: address.scheme, host: address.host, port: address.port ?? defaultPort,
            username: user?.isEmpty == true ? nil : user, password: pass?.isEmpty == true ? nil : pass
        )
    }

    static func tls(from secret: Secret, optional: Bool) throws(ProviderError) -> TLSMaterial? {
        let ca = secret["ca.crt"] ?? secret["caFile"]
        let certificate = secret["tls.crt"] ?? secret["certFile"]
        let key = secret["tls.key"] ?? secret["keyFile"]
        if (certificate == nil) != (key == nil) {
            throw .invalidTLS("Secret \(secret.key) must hold both tls.crt and tls.key, or neither")
        }
        if ca == nil && certificate == nil {
            if optional { return nil }
            throw .invalidTLS("Secret \(secret.key) holds neither ca.crt nor a tls.crt/tls.key pair")
        }
        if let ca, !ca.contains("-----BEGIN CERTIFICATE-----") {
            throw .invalidTLS("Secret \(secret.key) ca.crt is not a PEM certificate")
        }
        return TLSMaterial(caPEM: ca, certificatePEM: certificate, privateKeyPEM: key)
    }

    /// The address as an absolute http(s) URL, or the construction error webhook-style providers give.
    func webhookAddress() throws(ProviderError) -> WebAddress {
        guard let parsed = WebAddress(address), parsed.isHTTP else {
            throw .invalidAddress(type: provider.type, address: address, fromSecret: addressFromSecret)
        }
        return parsed
    }
}

func percentDecode(_ text: String) -> String {
    var bytes: [UInt8] = []
    var iterator = Array(text.utf8).makeIterator()
    while let byte = iterator.next() {
        if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
            let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
        {
            bytes.append(value)
        } else {
            bytes.append(byte)
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}
