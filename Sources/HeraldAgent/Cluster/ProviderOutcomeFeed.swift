import HeraldCore
import Synchronization

/// The observer that carries delivery outcomes to the object store (a Provider's `LastDelivery`
/// status, credential refresh), so the dispatcher never calls back into the store.
///
/// It keeps the newest outcome per Provider until the store takes it, so memory is bounded by the
/// number of Providers and a flood of outcomes for one Provider can never push out another Provider's
/// news. A 401 or 403 among coalesced outcomes is remembered, so credentials are still refreshed when a
/// later success hides it. Metrics and logs have already counted every outcome.
final class ProviderOutcomeFeed: PipelineObserver {
    /// What the store learns about one Provider.
    struct News: Sendable {
        /// The newest outcome.
        var outcome: DeliveryOutcome
        /// Some outcome since the last take was refused with 401 or 403.
        var credentialsRejected: Bool
    }

    private struct State {
        var pending: [ObjectKey: News] = [:]
        /// Providers in the order their news first arrived, so the store hears them fairly.
        var order: [ObjectKey] = []
    }

    private let state = Mutex(State())
    private let wake: AsyncStream<Void>.Continuation
    /// Yields whenever news is waiting; one element stands for any amount of it.
    let signals: AsyncStream<Void>

    init() {
        (signals, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func observe(_ result: PipelineResult, origin: InputOrigin, context: EventContext) {}

    func observe(_ outcome: DeliveryOutcome, job: DeliveryJob) {
        let rejected = Self.rejectsCredentials(outcome)
        state.withLock { state in
            if var news = state.pending[job.provider] {
                news.outcome = outcome
                news.credentialsRejected = news.credentialsRejected || rejected
                state.pending[job.provider] = news
            } else {
                state.pending[job.provider] = News(outcome: outcome, credentialsRejected: rejected)
                state.order.append(job.provider)
            }
        }
        wake.yield()
    }

    /// Takes every Provider's news, oldest first, leaving nothing pending.
    func take() -> [(provider: ObjectKey, news: News)] {
        state.withLock { state in
            defer { state = State() }
            return state.order.compactMap { key in state.pending[key].map { (key, $0) } }
        }
    }

    /// Ends ``signals`` once what is pending has been taken.
    func finish() { wake.finish() }

    static func rejectsCredentials(_ outcome: DeliveryOutcome) -> Bool {
        guard case .failed(let failure) = outcome else { return false }
        return failure.status == 401 || failure.status == 403
    }
}
