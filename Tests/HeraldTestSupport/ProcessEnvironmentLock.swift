import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Serialises tests that set a process environment variable a notifier reads when it is constructed
/// (`BITBUCKET_API_BASE_URL`, `PUBSUB_EMULATOR_HOST`) with tests that construct the same notifier
/// expecting the variable unset: every test target runs in one process, in parallel.
public enum ProcessEnvironmentLock {
    private static let lock = Mutex(())

    /// Runs `body` with `name` set to `value`, and unset again before anyone else may read it.
    public static func with<T>(_ name: String, _ value: String, _ body: () throws -> T) rethrows -> T {
        try lock.withLock { _ in
            setenv(name, value, 1)
            defer { unsetenv(name) }
            return try body()
        }
    }

    /// Runs `body` while no test has a variable set.
    public static func withUnset<T>(_ body: () throws -> T) rethrows -> T {
        try lock.withLock { _ in try body() }
    }
}
