import HeraldCore
import Synchronization

/// Remembers which keys were already reported, so a log line is written once per object and not once
/// per repeat; bounded, so a flood of distinct objects costs a fixed amount of memory (the oldest is
/// forgotten, and may be reported again).
final class OncePerKey<Key: Hashable & Sendable>: Sendable {
    private let seen: Mutex<LRUMemory<Key, Bool>>

    init(capacity: Int) { seen = Mutex(LRUMemory(capacity: capacity)) }

    /// True the first time `key` is seen (or the first time since it was forgotten).
    func isFirst(_ key: Key) -> Bool {
        seen.withLock { $0.isFirstSighting(of: key, remembering: true) }
    }
}
