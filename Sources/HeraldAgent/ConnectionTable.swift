/// Which connections of a server are open and which are idle, and what to do when one more arrives.
///
/// A plain value that takes events and returns decisions; the channel handler around it only opens and
/// closes sockets. A connection is idle from its start until its first request's headers, and again after
/// each response; the oldest idle one makes room for a newcomer, so idle sockets cannot lock out a real
/// sender, and a request in progress is never cut for one.
struct ConnectionTable<ID: Hashable & Sendable>: Sendable {
    enum Admission: Equatable, Sendable {
        case admitted
        /// Admitted, after closing this idle connection to make room.
        case admittedClosing(ID)
        /// Every connection is busy: close the new one.
        case refused
    }

    private enum State: Sendable {
        /// Idle since this tick (a counter: only the order matters).
        case idle(UInt64)
        case busy
    }

    let capacity: Int
    private var states: [ID: State] = [:]
    private var tick: UInt64 = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var count: Int { states.count }

    mutating func open(_ id: ID) -> Admission {
        var admission = Admission.admitted
        if states.count >= capacity {
            guard let oldestIdle = oldestIdle() else { return .refused }
            states[oldestIdle] = nil
            admission = .admittedClosing(oldestIdle)
        }
        markIdle(id)
        return admission
    }

    /// A request started on `id`.
    mutating func busy(_ id: ID) {
        guard states[id] != nil else { return }
        states[id] = .busy
    }

    /// `id` answered its request and waits for the next one.
    mutating func idle(_ id: ID) {
        guard states[id] != nil else { return }
        markIdle(id)
    }

    mutating func close(_ id: ID) { states[id] = nil }

    private mutating func markIdle(_ id: ID) {
        tick += 1
        states[id] = .idle(tick)
    }

    /// A scan, run only when the table is full: cheaper than keeping an order for every request.
    private func oldestIdle() -> ID? {
        var oldest: (id: ID, since: UInt64)?
        for (id, state) in states {
            guard case .idle(let since) = state else { continue }
            if oldest.map({ since < $0.since }) ?? true { oldest = (id, since) }
        }
        return oldest?.id
    }
}
