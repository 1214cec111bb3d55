/// Work bounded by a deadline: whichever ends first wins, and the other is cancelled.
///
/// Libraries' own timeouts cover only part of an exchange (a response head, a connect); this covers all
/// of it. Transports bound each attempt with it, and shutdown bounds the dispatcher's drain.
enum DeadlineRace {
    /// The operation's result, or nil when the deadline came first. The operation is then cancelled and
    /// awaited, so it must end promptly on cancellation; one that ignores it holds the call past the deadline.
    static func run<Value: Sendable>(
        until deadline: ContinuousClock.Instant, _ operation: @escaping @Sendable () async -> Value
    ) async -> Value? {
        await withTaskGroup(of: Finish<Value>.self) { group in
            group.addTask { .done(await operation()) }
            group.addTask {
                do {
                    try await Task.sleep(until: deadline, clock: .continuous)
                    return .deadline
                } catch {
                    return .cancelled
                }
            }
            defer { group.cancelAll() }
            for await finish in group {
                switch finish {
                case .done(let value): return value
                case .deadline: return nil
                // The caller was cancelled: the operation sees it too; its own answer is the result.
                case .cancelled: continue
                }
            }
            return nil
        }
    }

    private enum Finish<Value: Sendable>: Sendable {
        case done(Value)
        case deadline
        case cancelled
    }

    /// `run(until:)` for a duration from now.
    static func run<Value: Sendable>(within timeout: Duration, _ operation: @escaping @Sendable () async -> Value) async -> Value? {
        await run(until: .now.advanced(by: timeout), operation)
    }
}
