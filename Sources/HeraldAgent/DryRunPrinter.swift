import HeraldCore
import HeraldJSON
import Synchronization

/// Prints one ``DryRunRecord`` line per rendered notification, from what the recording transport saw,
/// in the order the processor queued the notifications.
///
/// The dispatcher serves Providers in turn, so outcomes of different Providers can arrive out of that
/// order; the printer holds a finished one until every earlier one has finished. It holds at most the
/// jobs queued or in flight, which the dispatcher bounds.
final class DryRunPrinter: PipelineObserver {
    private struct State {
        var next = 1
        var held: [Int: JSONValue?] = [:]
    }

    private let recorder: RecordingTransport
    private let secrets: SecretDisplay
    private let output: @Sendable (String) -> Void
    private let flush: @Sendable () -> Void
    private let state = Mutex(State())

    /// `flush` runs after each batch of lines (standard input: show each event's result as it comes).
    init(
        recorder: RecordingTransport, secrets: SecretDisplay = .masked, output: @escaping @Sendable (String) -> Void,
        flush: @escaping @Sendable () -> Void
    ) {
        self.recorder = recorder
        self.secrets = secrets
        self.output = output
        self.flush = flush
    }

    func observe(_ result: PipelineResult, origin: InputOrigin, context: EventContext) {}

    func observe(_ outcome: DeliveryOutcome, job: DeliveryJob) {
        var record: JSONValue?
        switch outcome {
        case .delivered:
            record = DryRunRecord.json(for: job, requests: recorder.take(), secrets: secrets)
        case .failed(let failure) where failure.kind == .queueFull || failure.kind == .notAttempted:
            // Refused before any attempt, maybe while another delivery is recording: nothing to take.
            record = nil
        case .duplicate, .skipped, .failed:
            _ = recorder.take()
        }
        guard job.sequence > 0 else {
            if let record { emit([record]) }
            return
        }
        let ready = state.withLock { state -> [JSONValue] in
            state.held[job.sequence] = .some(record)
            var ready: [JSONValue] = []
            while let entry = state.held.removeValue(forKey: state.next) {
                if let entry { ready.append(entry) }
                state.next += 1
            }
            return ready
        }
        if !ready.isEmpty { emit(ready) }
    }

    private func emit(_ records: [JSONValue]) {
        for record in records { output(JSONWriter.string(record, escapeHTML: false)) }
        flush()
    }
}
