/// A FIFO with a fixed capacity, stored in a ring buffer so memory never exceeds the bound.
///
/// The ring grows on demand up to the capacity: most Provider queues hold one or two jobs, and a queue
/// is created each time a Provider gets work again, so reserving the whole capacity up front would
/// cost an allocation of `capacity` slots per burst.
struct BoundedQueue<Element> {
    private var storage: [Element?] = []
    private var head = 0
    private(set) var count = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var isEmpty: Bool { count == 0 }
    var isFull: Bool { count == capacity }

    /// Appends; returns false (and drops nothing) when full.
    mutating func append(_ element: Element) -> Bool {
        guard !isFull else { return false }
        if count == storage.count { grow() }
        storage[(head + count) % storage.count] = element
        count += 1
        return true
    }

    mutating func popFirst() -> Element? {
        guard count > 0 else { return nil }
        let element = storage[head]
        storage[head] = nil
        head = (head + 1) % storage.count
        count -= 1
        return element
    }

    /// Doubles the ring (at most to the capacity), oldest element first.
    private mutating func grow() {
        let size = min(capacity, max(4, storage.count * 2))
        var larger: [Element?] = []
        larger.reserveCapacity(size)
        for offset in 0..<count { larger.append(storage[(head + offset) % storage.count]) }
        while larger.count < size { larger.append(nil) }
        storage = larger
        head = 0
    }
}
