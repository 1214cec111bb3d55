import Crypto

/// Flux's duplicate-event rate limit (reference §6), with memory that cannot grow without bound.
///
/// One event per key passes per fixed window of `interval`, windows aligned to the first event seen for
/// the key. The reference controller keeps every key for up to twice the interval; a burst of unique
/// events therefore grew its memory. Herald keeps at most `capacity` keys and evicts the least recently
/// seen one, counting each eviction: an evicted key can let one duplicate through, never lose an event.
public struct EventRateLimiter: Sendable {
    public let interval: Duration
    public let capacity: Int
    public private(set) var evictions: Int = 0

    /// The rate-limit key digest, 32 bytes kept as four words.
    struct Key: Hashable, Sendable {
        let a: UInt64, b: UInt64, c: UInt64, d: UInt64
    }

    /// Window start per key (nanoseconds), least recently seen evicted first.
    private var windows: LRUMemory<Key, Int64>
    private let intervalNanos: Int64

    /// `interval`: the window in which identical events pass once (Flux's `--rate-limit-interval`);
    /// `capacity`: the most keys remembered, the least recently seen evicted first.
    public init(interval: Duration = .seconds(300), capacity: Int = 10_000) {
        self.interval = interval
        self.capacity = max(1, capacity)
        self.windows = LRUMemory(capacity: max(1, capacity))
        let (seconds, attoseconds) = interval.components
        self.intervalNanos = max(1, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Number of keys currently remembered.
    public var count: Int { windows.count }

    /// The text Flux hashes into the key: object, message and the revision-like metadata.
    public static func keyText(for event: Event) -> String {
        var text =
            "event/name=\(event.involvedObject.name)/namespace=\(event.involvedObject.namespace)"
            + "/kind=\(event.involvedObject.kind)/message=\(event.message)"
        let group = event.involvedObject.group
        for field in ["originRevision", "revision", "token"] {
            if let value = event.metadata["\(group)/\(field)"] { text += "/\(field)=\(value)" }
        }
        return text
    }

    /// Flux's key: lower-case hex SHA-256 of ``keyText(for:)``.
    public static func keyHex(for event: Event) -> String {
        SHA256.hash(data: Array(keyText(for: event).utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    static func key(for event: Event) -> Key {
        let digest = SHA256.hash(data: Array(keyText(for: event).utf8))
        var words: [UInt64] = [0, 0, 0, 0]
        for (position, byte) in digest.enumerated() { words[position / 8] = words[position / 8] << 8 | UInt64(byte) }
        return Key(a: words[0], b: words[1], c: words[2], d: words[3])
    }

    /// The limiter's answer: whether the event passes, and when its key's current window ends.
    public struct Decision: Sendable, Hashable {
        public var allowed: Bool
        /// End of the window the event fell in, on the same clock as `now`; Flux's `X-RateLimit-Reset`.
        public var windowEnd: Int64
    }

    /// Whether `event`, arriving at `now` (nanoseconds on any monotonic or wall clock), may pass.
    public mutating func allow(_ event: Event, now: Int64) -> Bool { check(event, now: now).allowed }

    /// Like ``allow(_:now:)``, with the end of the window for rate-limit headers.
    public mutating func check(_ event: Event, now: Int64) -> Decision {
        let key = Self.key(for: event)
        if let start = windows.touch(key) {
            let elapsed = now - start
            if elapsed < intervalNanos && elapsed >= 0 { return Decision(allowed: false, windowEnd: start + intervalNanos) }
            // A new window: aligned to the previous ones while the entry is fresh, restarted once stale.
            let windowStart = elapsed >= 0 && elapsed < 2 * intervalNanos ? start + elapsed / intervalNanos * intervalNanos : now
            windows.update(key, windowStart)
            return Decision(allowed: true, windowEnd: windowStart + intervalNanos)
        }
        if windows.insert(key, now) != nil { evictions += 1 }
        return Decision(allowed: true, windowEnd: now + intervalNanos)
    }
}
