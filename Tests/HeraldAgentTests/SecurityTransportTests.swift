import HeraldAgent
import HeraldCore
import HeraldTestSupport
import Testing

/// TLS from `certSecretRef` and proxies, over real sockets.
@Suite("TLS and proxy")
struct SecurityTransportTests {
    let transport = HTTPTransport()

    func certSecret(_ values: [String: String]) -> [String: Secret] {
        ["tls": AgentFixtures.secret("tls", values)]
    }

    @Test("custom CA and client certificate from certSecretRef reach a server that requires both")
    func mutualTLS() async throws {
        let tls = TestTLS(requireClientCertificate: true)
        let recorder = try await WebhookRecorder.start(tls: tls)
        defer { Task { try? await recorder.shutdown() } }
        let secrets = certSecret(["ca.crt": tls.caPEM, "tls.crt": tls.clientCertificatePEM, "tls.key": tls.clientKeyPEM])
        let client = try AgentFixtures.client(
            AgentFixtures.provider(address: recorder.baseURL + "/hook", certSecretRef: "tls"), secrets: secrets)
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(try AgentFixtures.job(client))
        #expect(outcome == .delivered(status: 200, attempts: 1))
        let request = try await recorder.waitForRequests(count: 1)[0]
        #expect(request.clientCertificatePresented)
        await transport.shutdown()
    }

    @Test("without the client certificate the same server refuses the connection")
    func missingClientCertificate() async throws {
        let tls = TestTLS(requireClientCertificate: true)
        let recorder = try await WebhookRecorder.start(tls: tls)
        defer { Task { try? await recorder.shutdown() } }
        let client = try AgentFixtures.client(
            AgentFixtures.provider(address: recorder.baseURL + "/hook", timeout: .seconds(2), certSecretRef: "tls"),
            secrets: certSecret(["ca.crt": tls.caPEM]))
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(try AgentFixtures.job(client))
        guard case .failed = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(await recorder.requests().isEmpty)
        await transport.shutdown()
    }

    @Test("a CA that did not sign the server certificate fails verification and is not retried")
    func wrongCA() async throws {
        let tls = TestTLS()
        let recorder = try await WebhookRecorder.start(tls: tls)
        defer { Task { try? await recorder.shutdown() } }
        let client = try AgentFixtures.client(
            AgentFixtures.provider(address: recorder.baseURL + "/hook", certSecretRef: "tls"),
            secrets: certSecret(["ca.crt": tls.wrongCAPEM]))
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(try AgentFixtures.job(client))
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(failure.attempts == 1)
        #expect(await recorder.requests().isEmpty)
        await transport.shutdown()
    }

    @Test("the system trust store does not trust the test CA: certSecretRef is what makes TLS work")
    func systemRootsRejectTestCA() async throws {
        let recorder = try await WebhookRecorder.start(tls: TestTLS())
        defer { Task { try? await recorder.shutdown() } }
        let client = try AgentFixtures.client(AgentFixtures.provider(address: recorder.baseURL + "/hook", timeout: .seconds(2)))
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(try AgentFixtures.job(client))
        guard case .failed = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        await transport.shutdown()
    }

    @Test("spec.proxy sends plain-HTTP webhooks through the proxy")
    func httpProxy() async throws {
        let recorder = try await WebhookRecorder.start()
        let proxy = try await ForwardProxy.start()
        defer {
            Task {
                try? await recorder.shutdown()
                try? await proxy.shutdown()
            }
        }
        let client = try AgentFixtures.client(AgentFixtures.provider(address: recorder.baseURL + "/hook", proxy: proxy.url))
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(try AgentFixtures.job(client))
        #expect(outcome == .delivered(status: 200, attempts: 1))
        #expect(try await recorder.waitForRequests(count: 1).count == 1)
        let lines = await proxy.requestLines
        #expect(lines.contains { $0.contains("127.0.0.1:\(recorder.port)") })
        await transport.shutdown()
    }

    @Test("proxySecretRef credentials reach the proxy as Proxy-Authorization; HTTPS goes through CONNECT")
    func authenticatedProxyWithTLS() async throws {
        let tls = TestTLS()
        let recorder = try await WebhookRecorder.start(tls: tls)
        // "user:pass" in base64.
        let proxy = try await ForwardProxy.start(requiredAuthorization: "Basic dXNlcjpwYXNz")
        defer {
            Task {
                try? await recorder.shutdown()
                try? await proxy.shutdown()
            }
        }
        let secrets = [
            "proxy": AgentFixtures.secret("proxy", ["address": proxy.url, "username": "user", "password": "pass"]),
            "tls": AgentFixtures.secret("tls", ["ca.crt": tls.caPEM]),
        ]
        var provider = AgentFixtures.provider(address: recorder.baseURL + "/hook", certSecretRef: "tls")
        provider.proxySecretRef = "proxy"
        let client = try AgentFixtures.client(provider, secrets: secrets)
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(try AgentFixtures.job(client))
        #expect(outcome == .delivered(status: 200, attempts: 1))
        let lines = await proxy.requestLines
        #expect(lines.contains { $0.hasPrefix("CONNECT ") })
        #expect(await proxy.proxyAuthorizations.contains("Basic dXNlcjpwYXNz"))
        await transport.shutdown()
    }
}
