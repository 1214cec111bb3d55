import HeraldCore
import Testing

/// The bounded memory behind the rate limiter and the occurrence tracker.
@Suite("LRU memory")
struct LRUMemoryTests {
    @Test("never holds more than its capacity and evicts the least recently used entry")
    func evictionOrder() {
        var memory = LRUMemory<String, Int>(capacity: 3)
        var evictions: [String] = []
        for (key, value) in [("a", 1), ("b", 2), ("c", 3)] {
            if let evicted = memory.insert(key, value) { evictions.append(evicted.key) }
        }
        _ = memory.touch("a")
        let first = memory.insert("d", 4)
        let second = memory.insert("e", 5)
        let a = memory.touch("a")
        let b = memory.touch("b")
        #expect(evictions.isEmpty)
        #expect(first?.key == "b")
        #expect(first?.value == 2)
        #expect(second?.key == "c")
        #expect(memory.count == 3)
        #expect(a == 1)
        #expect(b == nil)
    }

    @Test("update changes a value in place and refreshes it; insert of a known key replaces without evicting")
    func updates() {
        var memory = LRUMemory<String, Int>(capacity: 2)
        memory.insert("a", 1)
        memory.insert("b", 2)
        let updatedKnown = memory.update("a", 10)
        let updatedUnknown = memory.update("z", 0)
        let replaced = memory.insert("b", 20)
        let evicted = memory.insert("c", 3)
        let b = memory.touch("b")
        #expect(updatedKnown)
        #expect(!updatedUnknown)
        #expect(replaced == nil)
        #expect(evicted?.key == "a", "a was refreshed before b was, so a is now the oldest")
        #expect(b == 20)
    }

    @Test("remove keeps the order of the rest intact, wherever the removed entry was", arguments: ["a", "c", "e"])
    func removal(victim: String) {
        var memory = LRUMemory<String, Int>(capacity: 5)
        for (value, key) in ["a", "b", "c", "d", "e"].enumerated() { memory.insert(key, value) }
        memory.remove(victim)
        let countAfterRemove = memory.count
        memory.insert("f", 5)
        let full = memory.insert("g", 6)
        let next = memory.insert("h", 7)
        let survivors = ["a", "b", "c", "d", "e"].filter { $0 != victim }
        let oldest = memory.touch(survivors[0])
        #expect(countAfterRemove == 4)
        #expect(full?.key == survivors[0])
        #expect(next?.key == survivors[1])
        #expect(oldest == nil)
    }

    @Test("a first sighting is reported once, and again only after the key was evicted")
    func firstSighting() {
        var memory = LRUMemory<String, Bool>(capacity: 2)
        // "c" evicts "a", the least recently seen, so "a" is a first sighting again.
        let sightings = ["a", "a", "b", "c", "a", "c"].map { memory.isFirstSighting(of: $0, remembering: true) }
        #expect(sightings == [true, false, true, true, true, false])
    }
}
