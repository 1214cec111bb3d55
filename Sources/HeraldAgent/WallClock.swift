import HeraldCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The time of day: Herald's one wall clock, injected wherever a decision or a written record depends
/// on it (token expiry, Event and Lease timestamps, the startup grace, rate-limit headers, log lines),
/// so tests can move it. It lives in the agent, not in HeraldCore: reading the clock is I/O, and the
/// core stays pure. Durations and deadlines use `ContinuousClock` instead, which never jumps.
public struct WallClock: Sendable {
    private let read: @Sendable () -> (seconds: Int64, nanoseconds: Int)

    /// A clock that reads whole seconds and the nanoseconds past them, as `clock_gettime` gives them.
    public init(reading read: @escaping @Sendable () -> (seconds: Int64, nanoseconds: Int)) {
        self.read = read
    }

    /// A clock that reads seconds since the epoch as a `Double` (tests set one this way); a `Double`
    /// resolves about a quarter of a microsecond today, so ``microTime`` may differ from it in the last digit.
    public init(_ read: @escaping @Sendable () -> Double) {
        self.read = {
            let value = read()
            let seconds = value.rounded(.down)
            return (Int64(seconds), min(999_999_999, Int((value - seconds) * 1_000_000_000)))
        }
    }

    /// The system's real-time clock, read exactly (no `Double` in between).
    public static let system = WallClock(reading: {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return (Int64(spec.tv_sec), Int(spec.tv_nsec))
    })

    /// One reading split into whole seconds and the nanoseconds past them.
    public var reading: (seconds: Int64, nanoseconds: Int) { read() }

    /// Seconds since the Unix epoch.
    public var now: Double {
        let (seconds, nanoseconds) = read()
        return Double(seconds) + Double(nanoseconds) / 1_000_000_000
    }

    /// The current second, as Kubernetes and Flux write times (`metav1.Time`).
    public var timestamp: FluxTimestamp { FluxTimestamp(secondsSinceEpoch: reading.seconds) }

    /// `metav1.MicroTime`: RFC 3339 with microseconds, UTC (Lease renew times).
    public var microTime: String {
        let (seconds, nanoseconds) = reading
        let micros = String(nanoseconds / 1000)
        let base = FluxTimestamp(secondsSinceEpoch: seconds).rfc3339.dropLast()
        return base + "." + String(repeating: "0", count: 6 - micros.count) + micros + "Z"
    }
}
