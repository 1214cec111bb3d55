import HeraldAgent
import HeraldCore
import HeraldTestSupport
import Testing

/// The dispatcher's promises: bounded queues, counted overflow, no head-of-line blocking between providers.
@Suite("Dispatcher")
struct DispatcherTests {
    @Test("a stalled provider does not delay a fast one")
    func slowProviderDoesNotDelayFastOne() async throws {
        let slow = try await WebhookRecorder.start()
        let fast = try await WebhookRecorder.start()
        defer {
            Task {
                try? await slow.shutdown()
                try? await fast.shutdown()
            }
        }
        slow.respond(with: [.hang])
        let transport = HTTPTransport()
        let slowClient = try AgentFixtures.client(
            AgentFixtures.provider("slow", address: slow.baseURL + "/hook", timeout: .milliseconds(2500)))
        let fastClient = try AgentFixtures.client(AgentFixtures.provider("fast", address: fast.baseURL + "/hook"))
        let outcomes = OutcomeLog()
        let dispatcher = Dispatcher(
            concurrency: 2, queueCapacity: 10, overflow: .drop,
            deliverer: Deliverer(transport: transport, retry: RetryPolicy(maxRetries: 0)), logger: AgentFixtures.logger
        ) { job, outcome in
            Task { await outcomes.append(job.provider, outcome) }
        }
        let workers = Task { await dispatcher.run() }
        // The slow provider's jobs go first and would take every worker if the dispatcher let them.
        for index in 0..<2 {
            await dispatcher.enqueue(try AgentFixtures.job(slowClient, event: AgentFixtures.event(message: "slow \(index)")))
        }
        for index in 0..<5 {
            await dispatcher.enqueue(try AgentFixtures.job(fastClient, event: AgentFixtures.event(message: "fast \(index)")))
        }
        let received: [RecordedRequest]
        do {
            received = try await fast.waitForRequests(count: 5, timeout: .seconds(10))
        } catch {
            // AsyncHTTPClient ends the process when a client is released without a shutdown.
            await transport.shutdown()
            throw error
        }
        // Ordering, not timing: every fast delivery finished while the first slow one was still hanging.
        let completedBeforeSlowTimedOut = await outcomes.entries.map(\.provider.name)
        #expect(!completedBeforeSlowTimedOut.contains("slow"), "a fast delivery waited for the slow provider")
        #expect(await slow.requests().count == 1, "one slow delivery in flight at a time")
        #expect(received.map { $0.bodyJSON?["message"]?.stringValue } == (0..<5).map { "fast \($0)" }, "per-provider order is kept")
        await dispatcher.finish()
        await workers.value
        let stats = await dispatcher.stats
        #expect(stats.delivered == 5)
        #expect(stats.failed == 2)
        await transport.shutdown()
    }

    @Test("a full queue refuses, counts and reports the overflow under the drop policy")
    func overflowIsCounted() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(with: [ScriptedResponse(status: 200, delay: .milliseconds(500))])
        let transport = HTTPTransport()
        let client = try AgentFixtures.client(AgentFixtures.provider(address: recorder.baseURL + "/hook"))
        let outcomes = OutcomeLog()
        let dispatcher = Dispatcher(
            concurrency: 1, queueCapacity: 2, overflow: .drop, deliverer: Deliverer(transport: transport), logger: AgentFixtures.logger
        ) { job, outcome in
            Task { await outcomes.append(job.provider, outcome) }
        }
        let workers = Task { await dispatcher.run() }
        var accepted: [Bool] = []
        for index in 0..<6 {
            accepted.append(await dispatcher.enqueue(try AgentFixtures.job(client, event: AgentFixtures.event(message: "m\(index)"))))
            if index == 0 { _ = try await recorder.waitForRequests(count: 1) }  // the first is in flight, not queued
        }
        #expect(accepted == [true, true, true, false, false, false])
        await dispatcher.finish()
        await workers.value
        let stats = await dispatcher.stats
        #expect(stats.overflowed == 3)
        #expect(stats.delivered == 3)
        #expect(await recorder.requests().count == 3)
        await transport.shutdown()
    }

    @Test("the block policy waits for room and loses nothing")
    func blockPolicyLosesNothing() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        let transport = HTTPTransport()
        let client = try AgentFixtures.client(AgentFixtures.provider(address: recorder.baseURL + "/hook"))
        let dispatcher = Dispatcher(
            concurrency: 2, queueCapacity: 1, overflow: .block, deliverer: Deliverer(transport: transport), logger: AgentFixtures.logger)
        let workers = Task { await dispatcher.run() }
        for index in 0..<20 {
            #expect(await dispatcher.enqueue(try AgentFixtures.job(client, event: AgentFixtures.event(message: "m\(index)"))))
        }
        await dispatcher.finish()
        await workers.value
        let stats = await dispatcher.stats
        #expect(stats.delivered == 20)
        #expect(stats.overflowed == 0)
        let messages = await recorder.requests().map { $0.bodyJSON?["message"]?.stringValue ?? "" }
        #expect(messages == (0..<20).map { "m\($0)" })
        await transport.shutdown()
    }
}
