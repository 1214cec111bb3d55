import HeraldCore
import Logging

/// The observer that carries delivery outcomes to the object store (a Provider's `LastDelivery`
/// status, credential refresh) on a bounded stream, so the dispatcher never calls back into the store.
///
/// Under a flood the oldest pending outcomes are dropped: a status shows the newest result anyway,
/// and metrics and logs have already counted every one.
struct ProviderOutcomeFeed: PipelineObserver {
    typealias Stream = AsyncStream<(provider: ObjectKey, outcome: DeliveryOutcome)>

    /// Outcomes waiting for the store, at most; beyond that the oldest go.
    static let capacity = 256

    private let sink: Stream.Continuation

    /// The stream the store reads, and the observer that feeds it.
    static func make() -> (Stream, ProviderOutcomeFeed) {
        let (stream, sink) = Stream.makeStream(bufferingPolicy: .bufferingNewest(capacity))
        return (stream, ProviderOutcomeFeed(sink: sink))
    }

    func observe(_ result: PipelineResult, origin: InputOrigin, context: EventContext) {}

    func observe(_ outcome: DeliveryOutcome, job: DeliveryJob) { sink.yield((job.provider, outcome)) }
}
