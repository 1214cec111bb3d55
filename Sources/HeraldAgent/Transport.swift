import HeraldCore

/// Why a request got no HTTP answer.
public enum TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The delivery's time budget ran out.
    case timeout
    /// Connecting or reading failed; `retryable` follows go-retryablehttp's rules.
    case connection(String, retryable: Bool)
    /// The TLS handshake failed; a certificate the trust roots refuse is not retried.
    case tls(String, retryable: Bool)
    /// The request cannot be sent at all (bad URL, unsupported proxy, unreadable certificate).
    case invalidRequest(String)

    public var description: String {
        switch self {
        case .timeout: "timed out"
        case .connection(let reason, _), .tls(let reason, _): reason
        case .invalidRequest(let reason): reason
        }
    }

    public var isRetryable: Bool {
        switch self {
        case .connection(_, let retryable), .tls(_, let retryable): retryable
        case .timeout, .invalidRequest: false
        }
    }

    /// How a delivery that ends on this error is classified.
    public var failureKind: DeliveryFailureKind {
        switch self {
        case .timeout: .timeout
        case .connection: .connection
        case .tls: .tls
        case .invalidRequest: .invalidRequest
        }
    }
}

/// Sends one HTTP request. The dispatcher owns retries; a transport makes exactly one attempt.
///
/// A protocol so that the replay's `--dry-run` and tests can stand in for the network; production
/// uses ``HTTPTransport``.
public protocol Transport: Sendable {
    func send(
        _ request: OutgoingRequest, options: TransportOptions, deadline: ContinuousClock.Instant
    ) async throws(TransportError)
        -> ProviderResponse
}
