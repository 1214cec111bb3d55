import HeraldAgent
import Testing

/// Repeats on the Event stream are MODIFIED Events with a higher count; relists replay everything.
@Suite("Occurrence tracker")
struct OccurrenceTrackerTests {
    /// `observe` mutates, which `#expect` cannot call directly.
    func see(_ tracker: inout OccurrenceTracker, uid: String, count: Int, timestamp: Int64) -> Bool {
        tracker.observe(uid: uid, count: count, timestamp: timestamp)
    }

    @Test("an unknown Event is new; the same count again is not; a higher count is a new occurrence")
    func countGrowth() {
        var tracker = OccurrenceTracker(capacity: 10)
        #expect(see(&tracker, uid: "a", count: 1, timestamp: 100))
        #expect(!see(&tracker, uid: "a", count: 1, timestamp: 100), "a MODIFIED that changed nothing")
        #expect(see(&tracker, uid: "a", count: 2, timestamp: 160))
        #expect(!see(&tracker, uid: "a", count: 2, timestamp: 160), "relist replays the same occurrence")
        #expect(!see(&tracker, uid: "a", count: 1, timestamp: 100), "an older view is not new")
    }

    @Test("UUID uids (kept as 16 bytes) and other uids are told apart exactly")
    func uidForms() {
        var tracker = OccurrenceTracker(capacity: 10)
        let uid = "8a4b2c6e-1f0d-4c3a-9e7b-5d6f8a9b0c1d"
        #expect(see(&tracker, uid: uid, count: 1, timestamp: 100))
        let sameUID = ["8a4b2c6e", "1f0d", "4c3a", "9e7b", "5d6f8a9b0c1d"].joined(separator: "-")
        #expect(!see(&tracker, uid: sameUID, count: 1, timestamp: 100), "the same uid, built apart")
        #expect(see(&tracker, uid: "8a4b2c6e-1f0d-4c3a-9e7b-5d6f8a9b0c1e", count: 1, timestamp: 100), "one digit apart")
        #expect(see(&tracker, uid: "0a4b2c6e-1f0d-4c3a-9e7b-5d6f8a9b0c1d", count: 1, timestamp: 100), "first half differs")
        #expect(see(&tracker, uid: uid.uppercased(), count: 1, timestamp: 100), "not canonical: kept as text, a different uid")
        #expect(see(&tracker, uid: "8a4b2c6e1f0d-4c3a-9e7b-5d6f8a9b0c1d-", count: 1, timestamp: 100), "dashes misplaced")
        #expect(see(&tracker, uid: "e-uid-1", count: 1, timestamp: 100))
        #expect(!see(&tracker, uid: "e-uid-1", count: 1, timestamp: 100))
        tracker.forget(uid: uid)
        #expect(see(&tracker, uid: uid, count: 1, timestamp: 100), "forgotten, so unknown again")
        #expect(tracker.count == 6)
    }

    @Test("at equal count a later lastTimestamp is a new occurrence")
    func timestampGrowth() {
        var tracker = OccurrenceTracker(capacity: 10)
        #expect(see(&tracker, uid: "a", count: 3, timestamp: 100))
        #expect(see(&tracker, uid: "a", count: 3, timestamp: 101))
    }

    @Test("memory is bounded; an evicted Event replayed by a relist is not delivered again")
    func boundedWithoutRepeats() {
        var tracker = OccurrenceTracker(capacity: 3)
        for (index, uid) in ["a", "b", "c", "d", "e"].enumerated() {
            #expect(see(&tracker, uid: uid, count: 1, timestamp: Int64(100 + index)))
        }
        #expect(tracker.count == 3)
        #expect(tracker.evictions == 2)
        #expect(tracker.evictedHighWater == 101)
        // "a" and "b" were evicted; a relist shows them again: not new, because they are not newer than the mark.
        #expect(!see(&tracker, uid: "a", count: 1, timestamp: 100))
        #expect(!see(&tracker, uid: "b", count: 1, timestamp: 101))
        // A genuinely new Event after the mark is still new.
        #expect(see(&tracker, uid: "f", count: 1, timestamp: 105))
    }

    @Test("the least recently seen uid is evicted first")
    func leastRecentlySeenFirst() {
        var tracker = OccurrenceTracker(capacity: 2)
        #expect(see(&tracker, uid: "a", count: 1, timestamp: 1))
        #expect(see(&tracker, uid: "b", count: 1, timestamp: 2))
        #expect(!see(&tracker, uid: "a", count: 1, timestamp: 1))  // touch a
        #expect(see(&tracker, uid: "c", count: 1, timestamp: 3))  // evicts b
        #expect(see(&tracker, uid: "a", count: 2, timestamp: 4), "a is still remembered, so its count growth is seen")
        #expect(tracker.evictedHighWater == 2)
    }
}
