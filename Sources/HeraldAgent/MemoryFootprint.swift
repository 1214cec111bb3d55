import NIOCore

#if canImport(Glibc)
    import CMalloc
#endif

/// Process-wide settings that keep Herald small (DESIGN.md, "Memory is a feature").
///
/// Herald's I/O is a handful of connections, so one event loop thread serves every client and server,
/// and NIO's blocking pool has one thread (only `herald replay` reading standard input uses it). Every
/// thread that allocates would otherwise get a glibc malloc arena of its own, each keeping freed memory
/// for reuse; one arena is enough for Herald's allocation rate. After a list, most of the heap it used is
/// free: it is handed back to the kernel instead of waiting in the arena.
public enum MemoryFootprint {
    /// Event loop threads shared by every HTTP client and server.
    public static let eventLoopThreads = 1
    /// glibc malloc arenas (`M_ARENA_MAX`).
    public static let mallocArenas: Int32 = 1
    /// Allocations from this size on get pages of their own (a list response's buffers, dictionary
    /// storage): freed, they go straight back to the kernel instead of leaving a hole in the heap.
    public static let mallocMmapThreshold: Int32 = 128 << 10

    /// Call first in `main`, before anything starts a thread or an event loop.
    public static func configure() {
        NIOSingletons.groupLoopCountSuggestion = eventLoopThreads
        NIOSingletons.blockingPoolThreadCountSuggestion = 1
        #if canImport(Glibc)
            _ = herald_set_malloc_arena_max(mallocArenas)
            _ = herald_set_malloc_mmap_threshold(mallocMmapThreshold)
        #endif
    }

    /// Returns free heap pages to the kernel (`malloc_trim`); called after each list of Events.
    public static func returnFreedMemory() {
        #if canImport(Glibc)
            _ = herald_malloc_trim()
        #endif
    }
}
