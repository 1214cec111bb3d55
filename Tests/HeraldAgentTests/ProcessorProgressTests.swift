import HeraldTestSupport
import Synchronization
import Testing

@testable import HeraldAgent

/// `/healthz` fails when one event holds the processor too long, so Kubernetes restarts a stuck pod.
@Suite("Processor stall detection")
struct ProcessorProgressTests {
    final class ManualClock: Sendable {
        let instant = Mutex(ContinuousClock.now)
        func advance(_ duration: Duration) { instant.withLock { $0 = $0.advanced(by: duration) } }
        var now: ContinuousClock.Instant { instant.withLock { $0 } }
    }

    @Test("idle is healthy; an event held up to the timeout is healthy; past it, the stall is reported; finishing clears it")
    func stallLifecycle() {
        let clock = ManualClock()
        let progress = ProcessorProgress(stallTimeout: .seconds(60), now: { clock.now })
        clock.advance(.seconds(600))
        #expect(progress.stall == nil)
        progress.began()
        clock.advance(.seconds(60))
        #expect(progress.stall == nil)
        clock.advance(.seconds(1))
        #expect(progress.stall == .seconds(61))
        progress.finished()
        #expect(progress.stall == nil)
    }

    @Test("the probe answers 503 with the stall's length, and 200 again once the processor moves")
    func healthProbe() async throws {
        let clock = ManualClock()
        let progress = ProcessorProgress(stallTimeout: .seconds(60), now: { clock.now })
        let server = try HealthServer.make(
            address: "127.0.0.1:0", isReady: { true }, stall: { progress.stall }, logger: AgentFixtures.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let deadline = ContinuousClock.now.advanced(by: .seconds(10))
            while server.boundPort == nil && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            let port = try #require(server.boundPort)
            #expect(LoopbackHTTP.get(port: port, path: "/healthz")?.status == 200)
            progress.began()
            clock.advance(.seconds(90))
            let stalled = LoopbackHTTP.get(port: port, path: "/healthz")
            #expect(stalled?.status == 503)
            #expect(stalled?.body.contains("held the event processor for 90.0 seconds") == true)
            #expect(LoopbackHTTP.get(port: port, path: "/readyz")?.status == 200)
            progress.finished()
            #expect(LoopbackHTTP.get(port: port, path: "/healthz")?.status == 200)
            group.cancelAll()
        }
    }
}
