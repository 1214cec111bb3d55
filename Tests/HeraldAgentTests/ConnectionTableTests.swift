import Testing

@testable import HeraldAgent

/// The connection cap's decisions, without sockets: who is let in, who makes room.
@Suite("ConnectionTable")
struct ConnectionTableTests {
    @Test("below the cap every connection is admitted")
    func admitsBelowCapacity() {
        var table = ConnectionTable<Int>(capacity: 3)
        #expect(table.open(1) == .admitted)
        #expect(table.open(2) == .admitted)
        #expect(table.open(3) == .admitted)
        #expect(table.count == 3)
    }

    @Test("at the cap the connection idle the longest is closed for the newcomer")
    func evictsOldestIdle() {
        var table = ConnectionTable<Int>(capacity: 3)
        _ = table.open(1)
        _ = table.open(2)
        _ = table.open(3)
        // 1 answers a request and becomes idle again: now 2 has been idle the longest.
        table.busy(1)
        table.idle(1)
        #expect(table.open(4) == .admittedClosing(2))
        #expect(table.open(5) == .admittedClosing(3))
        #expect(table.count == 3)
    }

    @Test("busy connections are never closed for a newcomer; with all busy the newcomer is refused")
    func refusesWhenAllBusy() {
        var table = ConnectionTable<Int>(capacity: 2)
        _ = table.open(1)
        _ = table.open(2)
        table.busy(1)
        table.busy(2)
        #expect(table.open(3) == .refused)
        #expect(table.count == 2)
        table.idle(2)
        #expect(table.open(3) == .admittedClosing(2))
    }

    @Test("a closed connection frees its place; events for unknown connections change nothing")
    func closeFreesPlace() {
        var table = ConnectionTable<Int>(capacity: 1)
        _ = table.open(1)
        table.close(1)
        table.busy(1)
        table.idle(1)
        #expect(table.count == 0)
        #expect(table.open(2) == .admitted)
    }
}
