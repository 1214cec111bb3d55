import HeraldCore
import HeraldJSON

/// What the last delivery through a Provider came to, as a status condition shows it.
struct DeliveryResult: Sendable, Hashable {
    var succeeded: Bool
    /// `Succeeded`, or the failure's kind: `HTTP401`, `HTTP429`, `Timeout`, `TLSError`, …
    var reason: String
    var message: String

    /// Nil for outcomes that say nothing about the Provider: a rule skipped it, or it was never attempted.
    init?(_ outcome: DeliveryOutcome) {
        switch outcome {
        case .delivered(let status, _):
            self.init(succeeded: true, reason: "Succeeded", message: "the last notification was delivered (status \(status))")
        case .duplicate:
            self.init(succeeded: true, reason: "Succeeded", message: "the last commit status was already set")
        case .skipped:
            return nil
        case .failed(let failure):
            if failure.kind == .notAttempted { return nil }
            // The status code and the error class, never the receiver's response body: whoever can read
            // Providers must not get a reader of what an address answers (the body stays in the log, masked).
            self.init(succeeded: false, reason: failure.reason, message: failure.message)
        }
    }

    init(succeeded: Bool, reason: String, message: String) {
        self.succeeded = succeeded
        self.reason = reason
        self.message = message
    }

    /// Results that read the same in `kubectl get providers`; a new message alone is not a change.
    func sameOutcome(as other: DeliveryResult) -> Bool { succeeded == other.succeeded && reason == other.reason }
}

/// Decides when a Provider's `LastDelivery` condition is written: when the result changes, and at most
/// once per `interval` per Provider, so a busy Provider that flaps causes no write storm. A change within
/// the interval is held and written when it ends, unless the result went back to what is written.
struct DeliveryStatus: Sendable {
    static let conditionType = "LastDelivery"

    enum Action: Sendable, Equatable {
        case nothing
        /// Write now; `previous` is the result written before, if any.
        case writeNow(previous: DeliveryResult?)
        /// Call ``takePending(_:now:)`` after this long.
        case flush(after: Duration)
    }

    private struct Entry {
        var written: DeliveryResult?
        var writtenAt: ContinuousClock.Instant?
        var pending: DeliveryResult?
        var flushScheduled = false
    }

    let interval: Duration
    private var entries: [ObjectKey: Entry] = [:]

    init(interval: Duration) { self.interval = interval }

    /// Takes what is already on the object after a restart, so the same result is not written again.
    mutating func seed(_ key: ObjectKey, from condition: JSONValue) {
        guard entries[key]?.written == nil, let reason = condition["reason"]?.stringValue else { return }
        entries[key, default: Entry()].written = DeliveryResult(
            succeeded: condition["status"]?.stringValue == "True", reason: reason, message: condition["message"]?.stringValue ?? "")
    }

    /// Forgets deleted Providers.
    mutating func keep(_ keys: Set<ObjectKey>) {
        entries = entries.filter { keys.contains($0.key) }
    }

    mutating func record(_ key: ObjectKey, _ result: DeliveryResult, now: ContinuousClock.Instant) -> Action {
        var entry = entries[key] ?? Entry()
        defer { entries[key] = entry }
        if let written = entry.written, written.sameOutcome(as: result) {
            entry.pending = nil
            return .nothing
        }
        if let writtenAt = entry.writtenAt, writtenAt.duration(to: now) < interval {
            entry.pending = result
            if entry.flushScheduled { return .nothing }
            entry.flushScheduled = true
            return .flush(after: interval - writtenAt.duration(to: now))
        }
        let previous = entry.written
        entry.written = result
        entry.writtenAt = now
        entry.pending = nil
        return .writeNow(previous: previous)
    }

    /// The held result to write now, with the one written before; nil when there is none any more.
    mutating func takePending(_ key: ObjectKey, now: ContinuousClock.Instant) -> (DeliveryResult, DeliveryResult?)? {
        guard var entry = entries[key] else { return nil }
        defer { entries[key] = entry }
        entry.flushScheduled = false
        guard let pending = entry.pending else { return nil }
        let previous = entry.written
        entry.written = pending
        entry.writtenAt = now
        entry.pending = nil
        return (pending, previous)
    }
}
