import HeraldCore
import HeraldNotifiers

/// One notification, rendered and ready to send.
public struct DeliveryJob: Sendable {
    public var alert: ObjectKey
    public var client: ProviderClient
    public var event: Event
    public var plan: DeliveryPlan
    /// When the notification was rendered, for the delivery latency metric.
    public var enqueuedAt: ContinuousClock.Instant

    public init(alert: ObjectKey, client: ProviderClient, event: Event, plan: DeliveryPlan, enqueuedAt: ContinuousClock.Instant = .now) {
        self.alert = alert
        self.client = client
        self.event = event
        self.plan = plan
        self.enqueuedAt = enqueuedAt
    }

    public var provider: ObjectKey { client.provider.key }
}

/// Why a delivery failed, with the response excerpt; every text is already masked.
public struct DeliveryFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var status: Int?
    public var excerpt: String?
    public var attempts: Int

    public var description: String {
        var text = message
        if let excerpt, !excerpt.isEmpty { text += ": \(excerpt)" }
        return text
    }
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
    /// Longest response excerpt put in a failure message.
    public static let excerptLength = 512

    public init(transport: any Transport, retry: RetryPolicy = RetryPolicy()) {
        self.transport = transport
        self.retry = retry
    }

    public func deliver(_ job: DeliveryJob) async -> DeliveryOutcome {
        let deadline = ContinuousClock.now.advanced(by: job.client.transport.timeout)
        let masker = SecretMasker(job.client.secretValues)
        switch job.plan {
        case .skip(let reason):
            return .skipped(reason: reason)
        case .send(let request, let check):
            var attempts = 0
            if let check {
                switch await send(check.request, job: job, deadline: deadline, masker: masker) {
                case .success(let (response, used)):
                    attempts += used
                    if check.isDuplicate(response.body) { return .duplicate }
                case .failure(var failure):
                    failure.message = "failed to read existing commit statuses: " + failure.message
                    return .failed(failure)
                }
            }
            switch await send(request, job: job, deadline: deadline, masker: masker) {
            case .success(let (response, used)):
                return .delivered(status: response.status, attempts: attempts + used)
            case .failure(var failure):
                failure.attempts += attempts
                return .failed(failure)
            }
        }
    }

    /// One request with retries; success is a 2xx that passes the request's response check.
    func send(
        _ request: OutgoingRequest, job: DeliveryJob, deadline: ContinuousClock.Instant, masker: SecretMasker
    ) async
        -> Result<(TransportResponse, Int), DeliveryFailure>
    {
        var attempt = 0
        let target = "\(request.method) \(WebAddress.redact(request.url))"
        while true {
            attempt += 1
            let response: TransportResponse
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
                            attempts: attempt))
                }
                try? await Task.sleep(for: wait)
                continue
            }
            if (200..<300).contains(response.status) {
                if let problem = request.responseCheck.failure(body: response.body) {
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
