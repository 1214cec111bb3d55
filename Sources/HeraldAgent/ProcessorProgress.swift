import Synchronization

/// Whether the processor is making progress, for the liveness probe: an event that has been in the
/// processor longer than `stallTimeout` means something holds it (a bug, a dependency that never
/// answers), and only a restart frees it. `/healthz` then fails, so Kubernetes restarts the pod.
///
/// Every per-event computation is bounded (linear-time patterns, a bounded CEL subset, deadlines on
/// label reads), so this is the last line, not the first.
public final class ProcessorProgress: Sendable {
    public let stallTimeout: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    /// When the event being processed entered the processor; nil when it is idle.
    private let busySince = Mutex<ContinuousClock.Instant?>(nil)

    /// `now` is the runtime's clock; tests pass a manual one.
    public init(stallTimeout: Duration, now: @escaping @Sendable () -> ContinuousClock.Instant) {
        self.stallTimeout = stallTimeout
        self.now = now
    }

    func began() {
        let start = now()
        busySince.withLock { $0 = start }
    }

    func finished() { busySince.withLock { $0 = nil } }

    /// How long the current event has held the processor, when that is longer than `stallTimeout`.
    public var stall: Duration? {
        guard let since = busySince.withLock({ $0 }) else { return nil }
        let held = since.duration(to: now())
        return held > stallTimeout ? held : nil
    }
}
