import HeraldCore
import Testing

@Suite("EventRateLimiter (reference §6)")
struct EventRateLimiterTests {
    static let second: Int64 = 1_000_000_000
    static let interval: Int64 = 300 * second

    func event(
        name: String = "1", namespace: String = "1", kind: String = "Kustomization", message: String = "Health check passed",
        metadata: [String: String] = [:]
    ) -> Event {
        Event(
            involvedObject: ObjectReference(kind: kind, namespace: namespace, name: name, apiVersion: "kustomize.toolkit.fluxcd.io/v1"),
            severity: "info", timestamp: nil, message: message, reason: "ReconciliationSucceeded", metadata: metadata)
    }

    /// One decision of `limiter`, outside `#expect` because it mutates.
    func allow(_ limiter: inout EventRateLimiter, _ event: Event, now: Int64) -> Bool {
        limiter.allow(event, now: now)
    }

    @Test("§6 key example: Kustomization 1/1 'Health check passed' hashes to acafa326…4762")
    func keyExample() {
        let event = event()
        #expect(EventRateLimiter.keyText(for: event) == "event/name=1/namespace=1/kind=Kustomization/message=Health check passed")
        #expect(EventRateLimiter.keyHex(for: event) == "acafa3267ee162f37eea965bd741c1447004be52ce8991161b716747ddcb4762")
    }

    @Test("§6 key appends originRevision, revision, token (prefixed by the object group) in that order")
    func keyMetadataOrder() {
        let event = event(metadata: [
            "kustomize.toolkit.fluxcd.io/token": "t", "kustomize.toolkit.fluxcd.io/revision": "r",
            "kustomize.toolkit.fluxcd.io/originRevision": "o",
        ])
        #expect(
            EventRateLimiter.keyText(for: event)
                == "event/name=1/namespace=1/kind=Kustomization/message=Health check passed/originRevision=o/revision=r/token=t")
    }

    @Test("§6 key ignores severity, reason, timestamp, uid, controller and event.toolkit.fluxcd.io/* metadata")
    func keyIgnores() {
        let base = event()
        var other = base
        other.severity = "error"
        other.reason = "Other"
        other.timestamp = FluxTimestamp(rfc3339: "2026-08-01T10:00:00Z")
        other.involvedObject.uid = "u"
        other.reportingController = "c"
        other.metadata = ["event.toolkit.fluxcd.io/revision": "user", "source.toolkit.fluxcd.io/revision": "foreign"]
        #expect(EventRateLimiter.keyHex(for: other) == EventRateLimiter.keyHex(for: base))
    }

    @Test("§6 same object and message twice: the second is rejected")
    func sameTwiceRejected() {
        var limiter = EventRateLimiter()
        #expect(allow(&limiter, event(), now: 0) == true)
        #expect(allow(&limiter, event(), now: Self.second) == false)
    }

    @Test("§6 a different message is allowed")
    func differentMessageAllowed() {
        var limiter = EventRateLimiter()
        #expect(allow(&limiter, event(), now: 0) == true)
        #expect(allow(&limiter, event(message: "Health check failed"), now: 1) == true)
    }

    @Test("§6 a different object (name, namespace or kind) is allowed")
    func differentObjectAllowed() {
        var limiter = EventRateLimiter()
        #expect(allow(&limiter, event(), now: 0) == true)
        #expect(allow(&limiter, event(name: "2"), now: 1) == true)
        #expect(allow(&limiter, event(namespace: "2"), now: 2) == true)
        #expect(allow(&limiter, event(kind: "HelmRelease"), now: 3) == true)
    }

    @Test(
        "§6 the same message with revision/originRevision/token rev1 twice is rejected, then rev2 is allowed",
        arguments: ["revision", "originRevision", "token"])
    func revisionKeys(_ field: String) {
        var limiter = EventRateLimiter()
        let key = "kustomize.toolkit.fluxcd.io/\(field)"
        #expect(allow(&limiter, event(metadata: [key: "rev1"]), now: 0) == true)
        #expect(allow(&limiter, event(metadata: [key: "rev1"]), now: 1) == false)
        #expect(allow(&limiter, event(metadata: [key: "rev2"]), now: 2) == true)
        #expect(allow(&limiter, event(metadata: [key: "rev2"]), now: 3) == false)
    }

    @Test("§6 one event per fixed window: allowed again once the interval has passed")
    func windowExpiry() {
        var limiter = EventRateLimiter(interval: .seconds(300))
        #expect(allow(&limiter, event(), now: 0) == true)
        #expect(allow(&limiter, event(), now: Self.interval - 1) == false)
        #expect(allow(&limiter, event(), now: Self.interval) == true)
        #expect(allow(&limiter, event(), now: Self.interval + Self.second) == false)
    }

    @Test("§6 windows stay aligned to the first event: windowStart + k·interval")
    func windowsAligned() {
        var limiter = EventRateLimiter(interval: .seconds(300))
        #expect(allow(&limiter, event(), now: 0) == true)
        // 310 s is in the window [300 s, 600 s): allowed, and the next window still starts at 600 s.
        #expect(allow(&limiter, event(), now: Self.interval + 10 * Self.second) == true)
        #expect(allow(&limiter, event(), now: 2 * Self.interval - 1) == false)
        #expect(allow(&limiter, event(), now: 2 * Self.interval) == true)
    }

    @Test("--rate-limit-interval changes the window")
    func customInterval() {
        var limiter = EventRateLimiter(interval: .seconds(1))
        #expect(allow(&limiter, event(), now: 0) == true)
        #expect(allow(&limiter, event(), now: Self.second / 2) == false)
        #expect(allow(&limiter, event(), now: Self.second) == true)
    }

    @Test("bounded memory: with capacity N, the N+1th key evicts the least recently used one and counts the eviction")
    func lruEviction() {
        var limiter = EventRateLimiter(interval: .seconds(300), capacity: 2)
        let a = event(name: "a"), b = event(name: "b"), c = event(name: "c")
        #expect(allow(&limiter, a, now: 0) == true)
        #expect(allow(&limiter, b, now: 1) == true)
        #expect(allow(&limiter, a, now: 2) == false)  // a is now the most recently used
        #expect(limiter.evictions == 0)
        #expect(allow(&limiter, c, now: 3) == true)  // evicts b
        #expect(limiter.evictions == 1)
        #expect(limiter.count == 2)
        #expect(allow(&limiter, a, now: 4) == false)  // a was kept
        #expect(allow(&limiter, c, now: 5) == false)  // c was kept
        #expect(allow(&limiter, b, now: 6) == true)  // b was forgotten: one duplicate gets through
        #expect(limiter.evictions == 2)
        #expect(limiter.count == 2)
    }

    @Test("bounded memory: the number of remembered keys never exceeds the capacity")
    func countNeverExceedsCapacity() {
        var limiter = EventRateLimiter(interval: .seconds(300), capacity: 8)
        for index in 0..<100 {
            #expect(allow(&limiter, event(name: "object-\(index)"), now: Int64(index)) == true)
            #expect(limiter.count <= 8)
        }
        #expect(limiter.count == 8)
        #expect(limiter.evictions == 92)
        // The last eight are still remembered.
        for index in 92..<100 {
            #expect(allow(&limiter, event(name: "object-\(index)"), now: 1000) == false)
        }
        #expect(limiter.evictions == 92)
    }
}
