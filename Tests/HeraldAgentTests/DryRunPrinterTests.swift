import HeraldCore
import HeraldJSON
import Synchronization
import Testing

@testable import HeraldAgent

/// The dry-run prints each delivery's recorded requests in the order the processor queued them, even
/// when the dispatcher finishes them in another order.
@Suite("dry-run printer")
struct DryRunPrinterTests {
    @Test("outcomes finished out of order print in queue order; skips and refusals print nothing but keep the order")
    func restoresQueueOrder() async throws {
        let snapshot = EventProcessorOrderTests.snapshot(address: "http://127.0.0.1:9/hook", number: 1)
        let client = try #require(try snapshot.clients[ObjectKey(namespace: "apps", name: "hook")]?.get())
        guard case .event(let event, _) = EventProcessorOrderTests.event("webapp", message: "m") else {
            Issue.record("the fixture is not an event")
            return
        }
        let recorder = RecordingTransport()
        let lines = Mutex<[String]>([])
        let printer = DryRunPrinter(recorder: recorder, output: { line in lines.withLock { $0.append(line) } }, flush: {})
        func finish(_ sequence: Int, _ outcome: DeliveryOutcome, recording url: String?) async throws {
            if let url {
                _ = try await recorder.send(
                    OutgoingRequest(url: url), options: client.transport, deadline: .now.advanced(by: .seconds(1)))
            }
            var job = DeliveryJob(alert: ObjectKey(namespace: "apps", name: "all"), client: client, event: event, plan: .send([]))
            job.sequence = sequence
            printer.observe(outcome, job: job)
        }
        try await finish(3, .delivered(status: 200, attempts: 1), recording: "http://x/3")
        try await finish(1, .delivered(status: 200, attempts: 1), recording: "http://x/1")
        #expect(lines.withLock { $0.count } == 1, "1 prints at once; 3 waits for 2")
        try await finish(5, .failed(DeliveryFailure(message: "full", kind: .queueFull)), recording: nil)
        try await finish(2, .skipped(reason: "Progressing"), recording: nil)
        try await finish(4, .delivered(status: 200, attempts: 1), recording: "http://x/4")
        try await finish(6, .delivered(status: 200, attempts: 1), recording: "http://x/6")
        let urls = try lines.withLock { $0 }.map { try JSONParser.parse(Array($0.utf8))["request"]?["url"]?.stringValue }
        #expect(urls == ["http://x/1", "http://x/3", "http://x/4", "http://x/6"])
    }
}
