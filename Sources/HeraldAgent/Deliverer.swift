import HeraldCore
import HeraldNotifiers
import Synchronization

/// One notification, rendered and ready to send.
public struct DeliveryJob: Sendable {
    public var alert: ObjectKey
    public var client: ProviderClient
    public var event: Event
    public var plan: DeliveryPlan
    /// When the notification was rendered, for the delivery latency metric.
    public var enqueuedAt: ContinuousClock.Instant
    /// Counts up from 1 in the order the processor queued the jobs (0: queued by someone else); the
    /// dry-run printer restores that order when outcomes of different Providers arrive out of it.
    public var sequence = 0

    public init(alert: ObjectKey, client: ProviderClient, event: Event, plan: DeliveryPlan, enqueuedAt: ContinuousClock.Instant = .now) {
        self.alert = alert
        self.client = client
        self.event = event
        self.plan = plan
        self.enqueuedAt = enqueuedAt
    }

    public var provider: ObjectKey { client.provider.key }
}

/// What became of one delivery.
public enum DeliveryOutcome: Sendable, Hashable {
    case delivered(status: Int, attempts: Int)
    /// The duplicate check found the same commit status already there.
    case duplicate
    case skipped(reason: String)
    case failed(DeliveryFailure)
}

/// Executes delivery plans over a ``Transport`` with Flux's retry rules, inside the Provider's timeout.
public struct Deliverer: Sendable {
    public let transport: any Transport
    public let retry: RetryPolicy
    /// The wall clock interactive notifiers read (token expiry); injected so tests can move it.
    public let wallClock: WallClock
    /// Runs each exchange's preview instead of the exchange (``DeliveryPlan/previewed``): the dry-run,
    /// whose recording transport finds nothing when a delivery reads.
    public let previewExchanges: Bool
    /// Longest response excerpt put in a failure message.
    public static let excerptLength = 512

    /// `previewExchanges` runs each exchange's preview instead of its reads (`--dry-run`).
    public init(
        transport: any Transport, retry: RetryPolicy = RetryPolicy(), wallClock: WallClock = .system, previewExchanges: Bool = false
    ) {
        self.transport = transport
        self.retry = retry
        self.wallClock = wallClock
        self.previewExchanges = previewExchanges
    }

    /// Delivers one notification within its Provider's timeout, retrying as `retry` allows; never throws:
    /// every end is an outcome.
    public func deliver(_ job: DeliveryJob) async -> DeliveryOutcome {
        let session = Session(deliverer: self, job: job, deadline: ContinuousClock.now.advanced(by: job.client.transport.timeout))
        let plan = previewExchanges ? job.plan.previewed : job.plan
        do throws(DeliveryFailure) {
            switch try await plan.run(in: session) {
            case .written(let status): return .delivered(status: status, attempts: session.attempts)
            case .duplicate: return .duplicate
            case .skipped(let reason): return .skipped(reason: reason)
            }
        } catch {
            // Exchanges word their own failures and may have learned credentials on the way: mask again.
            var failure = error
            failure.attempts = session.attempts
            failure.message = session.masker.mask(failure.message)
            failure.excerpt = failure.excerpt.map(session.masker.mask)
            return .failed(failure)
        }
    }

    /// One delivery's view of the network: every request under the same deadline, attempts counted.
    final class Session: DeliverySession {
        let deliverer: Deliverer
        let job: DeliveryJob
        let deadline: ContinuousClock.Instant
        private let counter = Mutex(0)
        /// Credentials obtained during the delivery (installation and access tokens), masked like the Secret's.
        private let obtained = Mutex<[String]>([])

        init(deliverer: Deliverer, job: DeliveryJob, deadline: ContinuousClock.Instant) {
            self.deliverer = deliverer
            self.job = job
            self.deadline = deadline
        }

        var attempts: Int { counter.withLock { $0 } }
        var masker: SecretMasker { SecretMasker(job.client.secretValues + obtained.withLock { $0 }) }

        func conceal(_ secret: String) { obtained.withLock { $0.append(secret) } }
        var now: Double { deliverer.wallClock.now }

        func send(_ request: OutgoingRequest, accepting: Set<Int>) async throws(DeliveryFailure) -> ProviderResponse {
            let result = await deliverer.send(request, job: job, deadline: deadline, masker: masker, accepting: accepting)
            switch result {
            case .success(let (response, used)):
                counter.withLock { $0 += used }
                return response
            case .failure(let failure):
                counter.withLock { $0 += failure.attempts }
                throw failure
            }
        }
    }

    /// One request with retries; success is a 2xx that passes the request's response check.
    func send(
        _ request: OutgoingRequest, job: DeliveryJob, deadline: ContinuousClock.Instant, masker: SecretMasker, accepting: Set<Int> = []
    ) async
        -> Result<(ProviderResponse, Int), DeliveryFailure>
    {
        var attempt = 0
        let target = "\(request.method) \(WebAddress.redact(request.url))"
        while true {
            attempt += 1
            let response: ProviderResponse
            do {
                response = try await transport.send(request, options: job.client.transport, deadline: deadline)
            } catch {
                let giveUp = !error.isRetryable || attempt > retry.maxRetries
                let wait = retry.delay(beforeRetry: attempt - 1, status: nil, retryAfter: nil)
                if giveUp || ContinuousClock.now.advanced(by: wait) >= deadline || error == .timeout {
                    let reason = error == .timeout ? "timed out after \(job.client.transport.timeout)" : error.description
                    return .failure(
                        DeliveryFailure(
                            message: masker.mask("\(target) giving up after \(attempt) attempt(s): \(reason)"), status: nil, excerpt: nil,
                            attempts: attempt, kind: error.failureKind))
                }
                try? await Task.sleep(for: wait)
                continue
            }
            if (200..<300).contains(response.status) || accepting.contains(response.status) {
                if let problem = request.responseCheck.failure(status: response.status, body: response.body) {
                    return .failure(
                        DeliveryFailure(message: masker.mask(problem), status: response.status, excerpt: nil, attempts: attempt))
                }
                return .success((response, attempt))
            }
            let excerpt = masker.mask(Self.excerpt(response.body))
            if RetryPolicy.isRetryable(status: response.status) && attempt <= retry.maxRetries {
                let wait = retry.delay(beforeRetry: attempt - 1, status: response.status, retryAfter: response.header("Retry-After"))
                if ContinuousClock.now.advanced(by: wait) < deadline {
                    try? await Task.sleep(for: wait)
                    continue
                }
            }
            let message =
                RetryPolicy.isRetryable(status: response.status)
                ? "\(target) giving up after \(attempt) attempt(s): request failed with status code \(response.status)"
                : "request failed with status code \(response.status)"
            return .failure(DeliveryFailure(message: masker.mask(message), status: response.status, excerpt: excerpt, attempts: attempt))
        }
    }

    /// The start of a response body as text, one line, for a log line.
    static func excerpt(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(excerptLength), as: UTF8.self)
        let oneLine = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return body.count > excerptLength ? oneLine + "…" : oneLine
    }
}
