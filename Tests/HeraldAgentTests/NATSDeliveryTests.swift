import Foundation
import HeraldCore
import HeraldJSON
import HeraldNotifiers
import HeraldTestSupport
import Testing

@testable import HeraldAgent

/// The `nats` provider against the real `nats-server`: every way to authenticate, TLS, failures, restarts.
@Suite("NATS provider against nats-server", .serialized)
struct NATSDeliveryTests {
    static let subject = "flux.events"
    static let event = AgentFixtures.event(message: "published <over> NATS & more", metadata: ["revision": "main@sha1:abc"])

    /// A user seed made from fixed bytes, so the server's config can name its public key.
    static let seedBytes: [UInt8] = Array(0..<32)
    static var seed: String {
        let prefix0 = NATSNKey.seedPrefix | (NATSNKey.userPrefix >> 5)
        let prefix1 = (NATSNKey.userPrefix & 0x1F) << 3
        var raw = [prefix0, prefix1] + seedBytes
        let crc = CRC16.xmodem(raw[...])
        raw += [UInt8(crc & 0xFF), UInt8(crc >> 8)]
        return Base32.encode(raw)
    }

    func deliver(
        server: String, secret: [String: String] = [:], certificate: [String: String]? = nil, retry: RetryPolicy = AgentFixtures.fastRetry,
        timeout: Duration = .seconds(10)
    ) async throws -> DeliveryOutcome {
        var provider = AgentFixtures.provider(
            type: .nats, address: server, timeout: timeout, secretRef: secret.isEmpty ? nil : "nats",
            certSecretRef: certificate == nil ? nil : "ca")
        provider.channel = Self.subject
        var secrets = ["nats": AgentFixtures.secret("nats", secret)]
        if let certificate { secrets["ca"] = AgentFixtures.secret("ca", certificate) }
        let client = try AgentFixtures.client(provider, secrets: secrets)
        let transport = ProviderTransport()
        defer { Task { await transport.shutdown() } }
        return await Deliverer(transport: transport, retry: retry).deliver(try AgentFixtures.job(client, event: Self.event))
    }

    func expectPublished(_ subscriber: NATSSubscriber, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let messages = try await subscriber.messages(count: 1)
        #expect(messages.first == Self.event.jsonBytes, sourceLocation: sourceLocation)
    }

    @Test("no authentication: the event JSON arrives byte for byte on the subject")
    func plain() async throws {
        let server = try await NATSServerProcess.start()
        defer { server.shutdown() }
        let subscriber = try await NATSSubscriber.subscribe(port: server.port, subject: Self.subject)
        defer { Task { await subscriber.close() } }
        #expect(try await deliver(server: server.url) == .delivered(status: 200, attempts: 1))
        try await expectPublished(subscriber)
    }

    @Test("username and password from the Secret")
    func userPassword() async throws {
        let server = try await NATSServerProcess.start(
            configuration: #"authorization { users = [ {user: flux, password: "nats-password-value"}, {user: reader, password: reader} ] }"#
        )
        defer { server.shutdown() }
        let subscriber = try await NATSSubscriber.subscribe(
            port: server.port, subject: Self.subject, connect: [("user", "reader"), ("pass", "reader")])
        defer { Task { await subscriber.close() } }
        let outcome = try await deliver(server: server.url, secret: ["username": "flux", "password": "nats-password-value"])
        #expect(outcome == .delivered(status: 200, attempts: 1))
        try await expectPublished(subscriber)
    }

    @Test("a token (Herald's addition to Flux's NATS provider)")
    func token() async throws {
        let server = try await NATSServerProcess.start(configuration: #"authorization { token: "nats-token-value" }"#)
        defer { server.shutdown() }
        let subscriber = try await NATSSubscriber.subscribe(
            port: server.port, subject: Self.subject, connect: [("auth_token", "nats-token-value")])
        defer { Task { await subscriber.close() } }
        #expect(try await deliver(server: server.url, secret: ["token": "nats-token-value"]) == .delivered(status: 200, attempts: 1))
        try await expectPublished(subscriber)
    }

    @Test("an nkey seed: the server checks the Ed25519 signature of its nonce against the public key")
    func nkey() async throws {
        let key = try #require(NATSNKey(seed: Self.seed))
        #expect(key.publicKey.hasPrefix("U"))
        let server = try await NATSServerProcess.start(
            configuration: "authorization { users = [ {nkey: \(key.publicKey)}, {user: reader, password: reader} ] }")
        defer { server.shutdown() }
        let subscriber = try await NATSSubscriber.subscribe(
            port: server.port, subject: Self.subject, connect: [("user", "reader"), ("pass", "reader")])
        defer { Task { await subscriber.close() } }
        #expect(try await deliver(server: server.url, secret: ["nkey": Self.seed]) == .delivered(status: 200, attempts: 1))
        try await expectPublished(subscriber)
    }

    @Test("TLS: the server requires it and its certificate is trusted through certSecretRef's CA")
    func tls() async throws {
        let tls = TestTLS()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-nats-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try tls.serverCertificatePEM.write(to: directory.appendingPathComponent("server.crt"), atomically: true, encoding: .utf8)
        try tls.serverKeyPEM.write(to: directory.appendingPathComponent("server.key"), atomically: true, encoding: .utf8)
        let server = try await NATSServerProcess.start(
            configuration: "tls { cert_file: \"\(directory.path)/server.crt\", key_file: \"\(directory.path)/server.key\" }")
        defer { server.shutdown() }
        let subscriber = try await NATSSubscriber.subscribe(port: server.port, subject: Self.subject, tls: tls)
        defer { Task { await subscriber.close() } }
        let outcome = try await deliver(server: "tls://localhost:\(server.port)", certificate: ["ca.crt": tls.caPEM])
        #expect(outcome == .delivered(status: 200, attempts: 1))
        try await expectPublished(subscriber)

        let byAddress = try await deliver(server: "tls://127.0.0.1:\(server.port)", certificate: ["ca.crt": tls.caPEM])
        #expect(byAddress == .delivered(status: 200, attempts: 1), "an IP address sends no SNI and still connects")
        _ = try await subscriber.messages(count: 2)

        let untrusted = try await deliver(server: "tls://localhost:\(server.port)", certificate: ["ca.crt": tls.wrongCAPEM])
        guard case .failed(let failure) = untrusted else {
            Issue.record("a server certificate from another CA must be refused, got \(untrusted)")
            return
        }
        #expect(failure.attempts == 1, "certificate errors are not retried: \(failure)")
    }

    @Test("a wrong password is refused once, not retried, and the password is not in the error")
    func authorizationViolation() async throws {
        let server = try await NATSServerProcess.start(configuration: #"authorization { users = [ {user: flux, password: right} ] }"#)
        defer { server.shutdown() }
        let outcome = try await deliver(server: server.url, secret: ["username": "flux", "password": "wrong-password-value"])
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(failure.description.contains("Authorization Violation"), "\(failure)")
        #expect(failure.attempts == 1)
        #expect(!failure.description.contains("wrong-password-value"))
    }

    @Test("the server goes away and comes back: the delivery retries until it is back")
    func serverRestart() async throws {
        let server = try await NATSServerProcess.start()
        defer { server.shutdown() }
        server.stop()
        let slowRetry = RetryPolicy(maxRetries: 4, base: .milliseconds(300), maximum: .seconds(1))
        async let outcome = deliver(server: server.url, retry: slowRetry)
        try await Task.sleep(for: .milliseconds(400))
        try await server.restart()
        guard case .delivered(200, let attempts) = try await outcome else {
            Issue.record("expected delivery after the restart, got \(try await outcome)")
            return
        }
        #expect(attempts >= 2)
        let subscriber = try await NATSSubscriber.subscribe(port: server.port, subject: Self.subject)
        defer { Task { await subscriber.close() } }
        #expect(try await deliver(server: server.url) == .delivered(status: 200, attempts: 1))
        try await expectPublished(subscriber)
    }

    @Test("a server that never answers hits the Provider timeout")
    func timeout() async throws {
        let silent = try await WebhookRecorder.start()
        defer { Task { try? await silent.shutdown() } }
        let outcome = try await deliver(server: "nats://127.0.0.1:\(silent.port)", timeout: .milliseconds(500))
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a timeout, got \(outcome)")
            return
        }
        #expect(failure.message.contains("timed out"), "\(failure)")
    }
}

@Suite("NATS provider: settings and protocol")
struct NATSProviderTests {
    @Test("address and subject are required; credentials follow Flux's precedence: creds, nkey, user/password")
    func settings() throws {
        func client(_ address: String, channel: String = "s", secret: [String: String] = [:]) throws -> ProviderClient {
            var provider = AgentFixtures.provider(type: .nats, address: address, secretRef: secret.isEmpty ? nil : "n")
            provider.channel = channel
            return try AgentFixtures.client(provider, secrets: ["n": AgentFixtures.secret("n", secret)])
        }
        #expect(throws: ProviderError.invalidChannel("NATS subject (channel) cannot be empty")) { try client("nats://h:4222", channel: "") }
        #expect(throws: ProviderError.self) { try client("https://h") }
        let creds = """
            -----BEGIN NATS USER JWT-----
            eyJhbGciOiJlZDI1NTE5In0.e30.c2ln
            ------END NATS USER JWT------

            ************************* IMPORTANT *************************
            -----BEGIN USER NKEY SEED-----
            \(NATSDeliveryTests.seed)
            ------END USER NKEY SEED------
            """
        let all = try client("nats://h:4222", secret: ["creds": creds, "nkey": "other", "username": "u", "password": "p"])
        #expect(all.transport.nats == .userCredentials(jwt: "eyJhbGciOiJlZDI1NTE5In0.e30.c2ln", seed: NATSDeliveryTests.seed))
        #expect(all.secretValues.contains(creds))
        #expect(try client("nats://h", secret: ["nkey": "SUX", "username": "u", "password": "p"]).transport.nats == .nkey(seed: "SUX"))
        #expect(
            try client("nats://h", secret: ["username": "u", "password": "p"]).transport.nats == .userPassword(user: "u", password: "p"))
        #expect(try client("nats://h").transport.nats == NATSCredentials.none)
        let plan = try client("nats://h:4222", channel: "flux.events").notifier.plan(for: NATSDeliveryTests.event)
        #expect(plan.requests.map { "\($0.method) \($0.url) \($0.subject ?? "")" } == ["PUB nats://h:4222 flux.events"])
    }

    @Test("CONNECT carries the JWT and the nonce's signature for creds, the public key and signature for an nkey")
    func connect() throws {
        let key = try #require(NATSNKey(seed: NATSDeliveryTests.seed))
        let nkey = try NATSTransport.connectObject(credentials: .nkey(seed: NATSDeliveryTests.seed), nonce: "nonce-1", tls: false)
        #expect(nkey["nkey"]?.stringValue == key.publicKey)
        #expect(nkey["sig"]?.stringValue == (try key.sign(nonce: "nonce-1")))
        #expect(nkey["name"]?.stringValue == "NATS Provider Publisher")
        #expect(nkey["verbose"] == false)
        let jwt = try NATSTransport.connectObject(
            credentials: .userCredentials(jwt: "the.jwt.value", seed: NATSDeliveryTests.seed), nonce: "n", tls: true)
        #expect(jwt["jwt"]?.stringValue == "the.jwt.value")
        #expect(jwt["tls_required"] == true)
        #expect(throws: TransportError.self) {
            try NATSTransport.connectObject(credentials: .nkey(seed: "SUNOTASEED"), nonce: "n", tls: false)
        }
    }
}
