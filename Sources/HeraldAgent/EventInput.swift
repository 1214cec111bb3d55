import ServiceLifecycle

/// A place events come from: the Kubernetes Event watch, the Flux ingest endpoint, a file or standard input.
///
/// An input decodes what it reads and hands each event to the process's one ``EventProcessor``, in
/// arrival order. Adding an input is one conforming type and one line in the runner that starts it; the
/// processor, the dispatcher and the observers do not change.
public protocol EventInput: Sendable {
    /// Recorded with every decision the input causes (the decision log, the metrics' `source` label).
    var origin: InputOrigin { get }

    /// Reads and feeds `processor` until the input ends or the task is cancelled.
    func feed(_ processor: EventProcessor) async throws

    /// Runs once after feeding stopped, outside the cancelled task: the last chance to save progress.
    func stopped() async
}

extension EventInput {
    public func stopped() async {}
}

/// An input as a service of `herald run`: it starts once `ready` returns (the first routing snapshot is
/// published, so nothing is routed against an empty table) and stops on graceful shutdown.
struct EventInputService: Service {
    let input: any EventInput
    let processor: EventProcessor
    let ready: @Sendable () async -> Void

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                await ready()
                if Task.isCancelled { return }
                try await input.feed(processor)
            }
        } catch {
            await input.stopped()
            throw error
        }
        await input.stopped()
    }
}

/// Which ``EventInput`` an event entered the pipeline through; the `source` label of `herald_events_received_total`.
public enum InputOrigin: String, Sendable, Hashable, CaseIterable {
    /// The cluster's Event watch (`herald run`).
    case watch
    /// The Flux-compatible HTTP endpoint (`--events-addr`).
    case ingest
    /// A file or standard input (`herald replay`).
    case file
}
