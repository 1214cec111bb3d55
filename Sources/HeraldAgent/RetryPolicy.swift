import HeraldCore

/// The retry rules of Flux's HTTP sender (reference §5, go-retryablehttp).
///
/// Up to `maxRetries` retries after the first attempt, waiting `base × 2^n` capped at `maximum`, or the
/// server's `Retry-After` seconds on 429 and 503. The whole delivery also stops at the Provider timeout.
public struct RetryPolicy: Sendable, Hashable {
    public var maxRetries: Int
    public var base: Duration
    public var maximum: Duration

    /// Flux's retries: up to `maxRetries` more attempts, waiting `base` doubled each time, at most `maximum`.
    public init(maxRetries: Int = 4, base: Duration = .seconds(2), maximum: Duration = .seconds(30)) {
        self.maxRetries = maxRetries
        self.base = base
        self.maximum = maximum
    }

    /// Whether a response with this status is worth another attempt: 429 and 5xx except 501.
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || (status >= 500 && status != 501 && status < 600)
    }

    /// The wait before retry number `retry` (0-based) after a response with `status` and `Retry-After`.
    public func delay(beforeRetry retry: Int, status: Int?, retryAfter: String?) -> Duration {
        if let status, status == 429 || status == 503, let retryAfter, let seconds = Int64(retryAfter.trimmingWhitespace), seconds >= 0 {
            return .seconds(seconds)
        }
        var wait = base
        for _ in 0..<min(retry, 32) {
            wait = wait * 2
            if wait >= maximum { return maximum }
        }
        return min(wait, maximum)
    }
}
