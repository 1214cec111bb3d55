import HeraldCore

/// Remembers which Kubernetes Event occurrences were already handled, in bounded memory.
///
/// The recorder reports a repeat by bumping `count` on the same Event (a MODIFIED on the watch), and
/// a relist after `410 Gone` replays every Event still in the API server. An occurrence is new when the
/// Event's uid is unknown or its count (or, at equal count, its last timestamp) grew. The memory holds at
/// most `capacity` uids; when one is evicted its timestamp raises a high-water mark, and an unknown
/// Event no newer than that mark is treated as already handled, so eviction never causes a repeat.
public struct OccurrenceTracker: Sendable {
    public let capacity: Int
    public private(set) var evictions = 0
    /// Newest timestamp of an evicted entry: unknown Events at or before it are not new.
    public private(set) var evictedHighWater: Int64 = .min

    private struct Occurrence: Sendable {
        var count: Int
        var timestamp: Int64
    }

    private var seen: LRUMemory<EventUID, Occurrence>

    /// Remembers at most `capacity` Events (`--event-cache-size`), the least recently seen evicted first.
    public init(capacity: Int = 20_000) {
        self.capacity = max(1, capacity)
        seen = LRUMemory(capacity: max(1, capacity))
    }

    public var count: Int { seen.count }

    /// Records the occurrence and says whether it is new.
    public mutating func observe(uid text: String, count: Int, timestamp: Int64) -> Bool {
        let uid = EventUID(text)
        if let known = seen.touch(uid) {
            let isNew = count > known.count || (count == known.count && timestamp > known.timestamp)
            if isNew { seen.update(uid, Occurrence(count: count, timestamp: max(timestamp, known.timestamp))) }
            return isNew
        }
        if let evicted = seen.insert(uid, Occurrence(count: count, timestamp: timestamp)) {
            evictedHighWater = max(evictedHighWater, evicted.value.timestamp)
            evictions += 1
        }
        return timestamp > evictedHighWater
    }

    /// Forgets a deleted Event.
    public mutating func forget(uid: String) {
        seen.remove(EventUID(uid))
    }
}
