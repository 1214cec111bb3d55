/// A dictionary with a fixed capacity that forgets its least recently used entry first.
///
/// The bounded memories of the pipeline (the rate limiter's keys, the Event occurrences seen) share
/// it, so their bound and eviction order are one piece of code. Entries live in one array linked
/// by index; lookups go through a dictionary; nothing allocates once the capacity is reached.
public struct LRUMemory<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    public let capacity: Int

    private struct Slot: Sendable {
        var key: Key
        var value: Value
        var previous: Int
        var next: Int
    }

    private var index: [Key: Int] = [:]
    private var slots: [Slot] = []
    private var head = -1  // most recently used
    private var tail = -1  // least recently used

    /// Storage grows with use up to `capacity`; nothing is reserved up front, because most of these
    /// memories hold far fewer entries than their bound (measured: 2.7 MiB idle for the two defaults).
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { index.count }

    /// The value for `key`, marking it most recently used.
    public mutating func touch(_ key: Key) -> Value? {
        guard let position = index[key] else { return nil }
        moveToFront(position)
        return slots[position].value
    }

    /// Replaces the value of a key that is present; returns false when it is not.
    @discardableResult
    public mutating func update(_ key: Key, _ value: Value) -> Bool {
        guard let position = index[key] else { return false }
        slots[position].value = value
        moveToFront(position)
        return true
    }

    /// Adds or replaces `key`; returns the entry evicted to make room, if any.
    @discardableResult
    public mutating func insert(_ key: Key, _ value: Value) -> (key: Key, value: Value)? {
        if update(key, value) { return nil }
        var evicted: (key: Key, value: Value)?
        let position: Int
        if index.count >= capacity, tail >= 0 {
            position = tail
            unlink(position)
            evicted = (slots[position].key, slots[position].value)
            index.removeValue(forKey: slots[position].key)
            slots[position] = Slot(key: key, value: value, previous: -1, next: -1)
        } else {
            position = slots.count
            slots.append(Slot(key: key, value: value, previous: -1, next: -1))
        }
        index[key] = position
        linkAtFront(position)
        return evicted
    }

    /// True the first time `key` is seen since it was last forgotten, remembering it (with `value`) either
    /// way: the "once per object" rule of log lines that must not repeat for every repeat of their cause.
    public mutating func isFirstSighting(of key: Key, remembering value: Value) -> Bool {
        guard touch(key) == nil else { return false }
        insert(key, value)
        return true
    }

    /// Forgets `key`. Its slot is reused by the next insert only after eviction, so the array never
    /// exceeds the capacity.
    public mutating func remove(_ key: Key) {
        guard let position = index.removeValue(forKey: key) else { return }
        unlink(position)
        // Move the last slot into the hole to keep the array dense.
        let last = slots.count - 1
        if position != last {
            let moved = slots[last]
            slots[position] = moved
            index[moved.key] = position
            if moved.previous >= 0 { slots[moved.previous].next = position } else { head = position }
            if moved.next >= 0 { slots[moved.next].previous = position } else { tail = position }
        }
        slots.removeLast()
    }

    private mutating func moveToFront(_ position: Int) {
        guard head != position else { return }
        unlink(position)
        linkAtFront(position)
    }

    private mutating func unlink(_ position: Int) {
        let previous = slots[position].previous
        let next = slots[position].next
        if previous >= 0 { slots[previous].next = next } else { head = next }
        if next >= 0 { slots[next].previous = previous } else { tail = previous }
        slots[position].previous = -1
        slots[position].next = -1
    }

    private mutating func linkAtFront(_ position: Int) {
        slots[position].next = head
        slots[position].previous = -1
        if head >= 0 { slots[head].previous = position }
        head = position
        if tail < 0 { tail = position }
    }
}
