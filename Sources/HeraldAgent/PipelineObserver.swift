import HeraldCore

/// Sees every decision the pipeline takes, once: what became of each event and of each delivery.
///
/// Metrics, the decision log, replay's tally and the dry-run printer implement it, so every command
/// and every source gets all of them by passing its observers; no component counts or logs on its own.
public protocol PipelineObserver: Sendable {
    /// An event from `origin` went through the pipeline; `context` names the input (sequence, line, uid).
    func observe(_ result: PipelineResult, origin: InputOrigin, context: EventContext)
    /// A delivery ended, or was refused before an attempt (a full queue, a lost leadership).
    func observe(_ outcome: DeliveryOutcome, job: DeliveryJob)
    /// An input that is not an event (a malformed line or object) was read from `origin` and dropped.
    func observeInvalidInput(origin: InputOrigin)
}

extension PipelineObserver {
    public func observeInvalidInput(origin: InputOrigin) {}
}

/// Several observers as one, called in order.
public struct PipelineObservers: PipelineObserver {
    public let observers: [any PipelineObserver]

    public init(_ observers: [any PipelineObserver]) { self.observers = observers }

    public func observe(_ result: PipelineResult, origin: InputOrigin, context: EventContext) {
        for observer in observers { observer.observe(result, origin: origin, context: context) }
    }

    public func observe(_ outcome: DeliveryOutcome, job: DeliveryJob) {
        for observer in observers { observer.observe(outcome, job: job) }
    }

    public func observeInvalidInput(origin: InputOrigin) {
        for observer in observers { observer.observeInvalidInput(origin: origin) }
    }
}

/// Why an event produced no notification; the `reason` label of `herald_events_dropped_total`.
public enum DropReason: String, Sendable, Hashable, CaseIterable {
    /// A Flux trace event (`--trace-reason`).
    case trace
    /// Not an event Herald routes: cluster-scoped, from an ignored component, a deleted Event.
    case ignored
    case rateLimited = "rate_limited"
    case noMatch = "no_match"
    /// Not decodable as an event.
    case invalid
    /// `--no-cross-namespace-refs` refused it for an Alert.
    case crossNamespace = "cross_namespace"
    /// An Event about an object in another namespace than its own (a forgery, or a misbehaving recorder).
    case foreignNamespace = "foreign_namespace"
}

extension PipelineResult.Disposition {
    /// Why the event went no further, or `nil` when it was routed.
    public var dropReason: DropReason? {
        switch self {
        case .ignored(.trace): .trace
        case .ignored(.foreignNamespace): .foreignNamespace
        case .ignored: .ignored
        case .rateLimited: .rateLimited
        case .noMatch: .noMatch
        case .routed: nil
        }
    }
}
