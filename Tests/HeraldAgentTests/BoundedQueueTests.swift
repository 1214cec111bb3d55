import Testing

@testable import HeraldAgent

@Suite("bounded queue")
struct BoundedQueueTests {
    @Test("keeps FIFO order while the ring grows and wraps, and refuses beyond its capacity")
    func fifoAcrossGrowthAndWrap() {
        var queue = BoundedQueue<Int>(capacity: 10)
        var expected: [Int] = []
        var popped: [Int] = []
        var next = 0
        // Interleave appends and pops so the head moves before and after each growth.
        for round in 0..<50 {
            for _ in 0..<(round % 4 + 1) where queue.append(next) {
                expected.append(next)
                next += 1
            }
            if round % 3 != 0, let first = queue.popFirst() { popped.append(first) }
            #expect(queue.count <= 10)
        }
        while let first = queue.popFirst() { popped.append(first) }
        #expect(popped == expected)
        #expect(queue.isEmpty)

        for value in 0..<10 {
            let appended = queue.append(value)
            #expect(appended)
        }
        #expect(queue.isFull)
        let refused = !queue.append(99)
        #expect(refused, "full: refused, nothing dropped")
        #expect(queue.popFirst() == 0)
        let appendedAfterPop = queue.append(10)
        #expect(appendedAfterPop)
        var rest: [Int] = []
        while let first = queue.popFirst() { rest.append(first) }
        #expect(rest == Array(1...10))
    }

    @Test("a capacity below 1 is treated as 1")
    func minimumCapacity() {
        var queue = BoundedQueue<String>(capacity: 0)
        let first = queue.append("a")
        let second = queue.append("b")
        #expect(first)
        #expect(second == false)
        #expect(queue.popFirst() == "a")
    }
}
