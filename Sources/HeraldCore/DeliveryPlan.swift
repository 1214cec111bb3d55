/// What delivering one notification takes: the pure output of a notifier.
public enum DeliveryPlan: Sendable {
    /// Send these requests in order, each only after the one before succeeded (PagerDuty sends two).
    case send([OutgoingRequest])
    /// The provider's writes depend on what it reads or on a credential it must fetch first.
    case exchange(any DeliveryExchange)
    /// Nothing to send, by the provider's own rule (e.g. commit statuses ignore `Progressing`).
    case skip(reason: String)

    /// A plan of one request.
    public static func send(_ request: OutgoingRequest) -> DeliveryPlan { .send([request]) }

    /// The requests a delivery makes when every read finds nothing: what `--dry-run` shows.
    public var requests: [OutgoingRequest] {
        switch self {
        case .send(let requests): requests
        case .exchange(let exchange): exchange.preview
        case .skip: []
        }
    }

    /// The plan with an exchange replaced by its preview: what a dry-run delivers.
    public var previewed: DeliveryPlan {
        if case .exchange(let exchange) = self { return .send(exchange.preview) }
        return self
    }
}

extension DeliveryPlan {
    /// Carries the plan out over `session`: requests in order, or the exchange. A skip sends nothing.
    public func run(in session: any DeliverySession) async throws(DeliveryFailure) -> ExchangeResult {
        switch self {
        case .skip(let reason):
            return .skipped(reason: reason)
        case .send(let requests):
            var status = 0
            for request in requests { status = try await session.send(request).status }
            return .written(status: status)
        case .exchange(let exchange):
            return try await exchange.run(in: session)
        }
    }
}

/// A delivery that talks with the provider: reads before it writes, or fetches a token first.
///
/// Rendering stays pure up to here; the exchange is the only provider code that does I/O, and only
/// through the ``DeliverySession`` it is given, which owns retries, the deadline and masking.
public protocol DeliveryExchange: Sendable {
    /// The requests made when every read finds nothing, in order; for dry-run and explain.
    var preview: [OutgoingRequest] { get }

    func run(in session: any DeliverySession) async throws(DeliveryFailure) -> ExchangeResult
}

/// How an exchange ended when it did not fail.
public enum ExchangeResult: Sendable, Hashable {
    /// The last write was answered with this status.
    case written(status: Int)
    /// What the write would say is already there (a commit status with the same state and description).
    case duplicate
    /// Nothing was sent, by the provider's own rule.
    case skipped(reason: String)
}
