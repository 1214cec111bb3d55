import HeraldAgent
import HeraldCore
import HeraldJSON
import HeraldTestSupport
import Testing

/// Delivery over real sockets to in-process receivers: status handling, retries, timeouts.
@Suite("Delivery over HTTP")
struct DelivererTests {
    let transport = HTTPTransport()

    @Test("a 2xx response is a delivery, and the body is the exact Flux event JSON")
    func success() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        let client = try AgentFixtures.client(AgentFixtures.provider(address: recorder.baseURL + "/hook"))
        let event = AgentFixtures.event()
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(
            try AgentFixtures.job(client, event: event))
        #expect(outcome == .delivered(status: 200, attempts: 1))
        let requests = try await recorder.waitForRequests(count: 1)
        #expect(requests[0].method == "POST")
        #expect(requests[0].path == "/hook")
        #expect(requests[0].body == event.jsonBytes)
        #expect(requests[0].header("Content-Type") == "application/json")
        #expect(requests[0].header("Gotk-Component") == "source-controller")
        await transport.shutdown()
    }

    @Test("500 then 200: retried, delivered on the second attempt")
    func retryAfterServerError() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(with: [.status(500), .ok])
        let client = try AgentFixtures.client(AgentFixtures.provider(address: recorder.baseURL + "/hook"))
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(try AgentFixtures.job(client))
        #expect(outcome == .delivered(status: 200, attempts: 2))
        #expect(try await recorder.waitForRequests(count: 2).count == 2)
        await transport.shutdown()
    }

    @Test("429 with Retry-After: the retry waits the server's seconds, not the backoff")
    func retryAfterHeader() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(with: [.status(429, headers: [("Retry-After", "1")]), .ok])
        let client = try AgentFixtures.client(AgentFixtures.provider(address: recorder.baseURL + "/hook"))
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(try AgentFixtures.job(client))
        #expect(outcome == .delivered(status: 200, attempts: 2))
        let requests = try await recorder.waitForRequests(count: 2)
        // The fast policy would retry after 20 ms; Retry-After asks for a whole second.
        #expect(requests[0].receivedAt.duration(to: requests[1].receivedAt) >= .milliseconds(900))
        await transport.shutdown()
    }

    @Test("4xx other than 429 is not retried and the failure names the status and the response")
    func clientErrorNotRetried() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(with: [ScriptedResponse(status: 400, body: "bad payload")])
        let client = try AgentFixtures.client(AgentFixtures.provider(address: recorder.baseURL + "/hook"))
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(try AgentFixtures.job(client))
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(failure.status == 400)
        #expect(failure.attempts == 1)
        #expect(failure.description == "request failed with status code 400: bad payload")
        await transport.shutdown()
    }

    @Test("501 is not retried; 503 is, until retries run out")
    func retryLimits() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(path: "/not-implemented", with: [.status(501)])
        recorder.respond(path: "/unavailable", with: [.status(503)])
        let deliverer = Deliverer(transport: transport, retry: AgentFixtures.fastRetry)
        let notImplemented = try AgentFixtures.client(AgentFixtures.provider("a", address: recorder.baseURL + "/not-implemented"))
        let unavailable = try AgentFixtures.client(AgentFixtures.provider("b", address: recorder.baseURL + "/unavailable"))
        guard case .failed(let first) = await deliverer.deliver(try AgentFixtures.job(notImplemented)),
            case .failed(let second) = await deliverer.deliver(try AgentFixtures.job(unavailable))
        else {
            Issue.record("both deliveries should fail")
            return
        }
        #expect(first.attempts == 1)
        #expect(second.attempts == 5)
        #expect(second.message.contains("giving up after 5 attempt(s)"))
        #expect(second.message.contains("http://127.0.0.1:\(recorder.port)"))
        #expect(!second.message.contains("/unavailable"), "logged addresses keep only scheme and host")
        await transport.shutdown()
    }

    @Test("a provider that never answers fails at the Provider timeout")
    func timeout() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(with: [.hang])
        let client = try AgentFixtures.client(AgentFixtures.provider(address: recorder.baseURL + "/hook", timeout: .milliseconds(300)))
        let started = ContinuousClock.now
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(try AgentFixtures.job(client))
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a timeout, got \(outcome)")
            return
        }
        #expect(failure.message.contains("timed out"))
        #expect(started.duration(to: .now) < .seconds(5), "the budget is the Provider timeout, not the transport default")
        await transport.shutdown()
    }

    @Test("a refused connection is retried and then reported without the webhook path")
    func connectionRefused() async throws {
        let recorder = try await WebhookRecorder.start()
        let address = recorder.baseURL + "/services/T000/B000/SECRETPATH"
        try await recorder.shutdown()
        // A refused connection fails at once, so the budget only has to outlast a stalled test process: at
        // suite start, under parallel load, the whole process has been seen to stall for 3 s, which used up a
        // 2 s budget on the first attempt and left no retry.
        let client = try AgentFixtures.client(AgentFixtures.provider(address: address, timeout: .seconds(10)))
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(try AgentFixtures.job(client))
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(failure.attempts > 1, "connection errors are retried")
        #expect(failure.message.contains("giving up after"))
        #expect(!failure.description.contains("SECRETPATH"))
        await transport.shutdown()
    }

    @Test("secret values in a response are masked in the failure")
    func maskedExcerpt() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(with: [ScriptedResponse(status: 403, body: "token s3cr3t-token-value is revoked")])
        let secrets = ["hmac": AgentFixtures.secret("hmac", ["token": "s3cr3t-token-value"])]
        let client = try AgentFixtures.client(
            AgentFixtures.provider(type: .genericHMAC, address: recorder.baseURL + "/hook", secretRef: "hmac"), secrets: secrets)
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(try AgentFixtures.job(client))
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(failure.description == "request failed with status code 403: token ***** is revoked")
        let request = try await recorder.waitForRequests(count: 1)[0]
        #expect(request.header("X-Signature")?.hasPrefix("sha256=") == true)
        await transport.shutdown()
    }
}
