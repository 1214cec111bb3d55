import HeraldAgent
import HeraldCore
import HeraldTestSupport
import Testing

/// `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` as Go's `http.ProxyFromEnvironment` reads them, which
/// notification-controller honours (issue 21).
@Suite("Delivery proxies from the environment")
struct EnvironmentProxyTests {
    static let environment = [
        "HTTP_PROXY": "http://proxy.internal:3128", "HTTPS_PROXY": "proxy-tls.internal:8080",
        "NO_PROXY": "example.com, .only-sub.org, *.star.net, 10.0.0.0/8, 192.168.1.7, direct.io:8443, [2001:db8::1]:443",
    ]

    func proxyHost(_ environment: [String: String], _ url: String) throws -> String? {
        try EnvironmentProxy(environment: environment).proxy(for: url).map { "\($0.scheme)://\($0.host):\($0.port)" }
    }

    @Test(
        "which proxy serves which address",
        arguments: [
            ("http://hooks.slack.com/x", "http://proxy.internal:3128"),
            ("https://hooks.slack.com/x", "http://proxy-tls.internal:8080"),  // no scheme: an http proxy
            ("https://example.com/x", nil),  // NO_PROXY domain
            ("https://api.example.com/x", nil),  // and its subdomains
            ("https://notexample.com/x", "http://proxy-tls.internal:8080"),  // a suffix is not a subdomain
            ("https://only-sub.org/x", "http://proxy-tls.internal:8080"),  // a leading dot: subdomains only
            ("https://a.only-sub.org/x", nil),
            ("https://star.net/x", "http://proxy-tls.internal:8080"),  // *.star.net is .star.net
            ("https://a.star.net/x", nil),
            ("http://10.1.2.3:9000/x", nil),  // CIDR
            ("http://11.1.2.3/x", "http://proxy.internal:3128"),
            ("http://192.168.1.7/x", nil),  // one IP
            ("https://direct.io:8443/x", nil),  // host and port
            ("https://direct.io/x", "http://proxy-tls.internal:8080"),  // another port (443) is proxied
            ("https://[2001:db8::1]/x", nil),  // IPv6 with the default port
            ("http://localhost:8080/x", nil),  // loopback always goes direct
            ("http://127.0.0.1:8080/x", nil),
            ("http://[::1]:8080/x", nil),
            ("nats://nats.internal:4222", nil),  // not HTTP
        ] as [(String, String?)])
    func routing(url: String, expected: String?) throws {
        #expect(try proxyHost(Self.environment, url) == expected)
    }

    @Test("upper case wins over lower case; lower case alone works; * sends everything direct; REQUEST_METHOD drops HTTP_PROXY")
    func variables() throws {
        #expect(try proxyHost(["HTTP_PROXY": "http://upper:1", "http_proxy": "http://lower:2"], "http://a.io") == "http://upper:1")
        #expect(try proxyHost(["http_proxy": "http://lower:2"], "http://a.io") == "http://lower:2")
        #expect(try proxyHost(["HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"], "https://a.io") == nil)
        #expect(try proxyHost(["HTTP_PROXY": "http://p:1", "REQUEST_METHOD": "GET"], "http://a.io") == nil)
        #expect(try proxyHost(["HTTPS_PROXY": "socks5://s:1080"], "https://a.io") == "socks5://s:1080")
        #expect(try proxyHost([:], "https://a.io") == nil)
    }

    @Test("a proxy Herald's transport cannot use is an error naming the variable, never its value")
    func invalid() {
        #expect {
            try EnvironmentProxy(environment: ["HTTPS_PROXY": "https://user:hunter2@proxy:443"])
        } throws: { error in
            "\(error)".hasPrefix("HTTPS_PROXY: https:// proxies are not supported yet") && !"\(error)".contains("hunter2")
        }
        #expect(throws: EnvironmentProxyError.self) { try EnvironmentProxy(environment: ["HTTP_PROXY": "ftp://proxy:21"]) }
    }

    @Test("a delivery goes through HTTP_PROXY, and a Provider's own proxy wins over it")
    func deliveryThroughEnvironmentProxy() async throws {
        let recorder = try await WebhookRecorder.start()
        let environmentProxy = try await ForwardProxy.start(hosts: ["hooks.example.test": recorder.port])
        let providerProxy = try await ForwardProxy.start(hosts: ["hooks.example.test": recorder.port])
        let transport = HTTPTransport(environmentProxy: try EnvironmentProxy(environment: ["HTTP_PROXY": environmentProxy.url]))
        let address = "http://hooks.example.test/hook"
        let plain = try AgentFixtures.client(AgentFixtures.provider(address: address))
        let deliverer = Deliverer(transport: transport, retry: AgentFixtures.fastRetry)
        #expect(await deliverer.deliver(try AgentFixtures.job(plain)) == .delivered(status: 200, attempts: 1))
        let lines = await environmentProxy.requestLines
        // AsyncHTTPClient tunnels plain HTTP through a proxy too.
        #expect(lines == ["CONNECT hooks.example.test:80 HTTP/1.1"], "\(lines)")
        let ownProxy = try AgentFixtures.client(AgentFixtures.provider(address: address, proxy: providerProxy.url))
        #expect(await deliverer.deliver(try AgentFixtures.job(ownProxy)) == .delivered(status: 200, attempts: 1))
        #expect(await providerProxy.requestLines.count == 1)
        #expect(await environmentProxy.requestLines.count == 1)
        #expect(try await recorder.waitForRequests(count: 2).count == 2)
        await transport.shutdown()
        try await environmentProxy.shutdown()
        try await providerProxy.shutdown()
        try await recorder.shutdown()
    }
}
