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

    private struct Entry {
        var count: Int
        var timestamp: Int64
        var previous: String?
        var next: String?
    }

    private var entries: [String: Entry] = [:]
    private var head: String?
    private var tail: String?

    public init(capacity: Int = 20_000) { self.capacity = max(1, capacity) }

    public var count: Int { entries.count }

    /// Records the occurrence and says whether it is new.
    public mutating func observe(uid: String, count: Int, timestamp: Int64) -> Bool {
        if var entry = entries[uid] {
            let isNew = count > entry.count || (count == entry.count && timestamp > entry.timestamp)
            if isNew {
                entry.count = count
                entry.timestamp = max(timestamp, entry.timestamp)
                entries[uid] = entry
            }
            moveToFront(uid)
            return isNew
        }
        insert(uid, Entry(count: count, timestamp: timestamp))
        return timestamp > evictedHighWater
    }

    /// Forgets a deleted Event.
    public mutating func forget(uid: String) {
        guard entries[uid] != nil else { return }
        unlink(uid)
        entries.removeValue(forKey: uid)
    }

    private mutating func insert(_ uid: String, _ entry: Entry) {
        if entries.count >= capacity, let oldest = tail, let evicted = entries[oldest] {
            unlink(oldest)
            entries.removeValue(forKey: oldest)
            evictedHighWater = max(evictedHighWater, evicted.timestamp)
            evictions += 1
        }
        entries[uid] = entry
        linkAtFront(uid)
    }

    private mutating func moveToFront(_ uid: String) {
        guard head != uid else { return }
        unlink(uid)
        linkAtFront(uid)
    }

    private mutating func unlink(_ uid: String) {
        guard let entry = entries[uid] else { return }
        if let previous = entry.previous { entries[previous]?.next = entry.next } else { head = entry.next }
        if let next = entry.next { entries[next]?.previous = entry.previous } else { tail = entry.previous }
        entries[uid]?.previous = nil
        entries[uid]?.next = nil
    }

    private mutating func linkAtFront(_ uid: String) {
        entries[uid]?.next = head
        entries[uid]?.previous = nil
        if let head { entries[head]?.previous = uid }
        head = uid
        if tail == nil { tail = uid }
    }
}
