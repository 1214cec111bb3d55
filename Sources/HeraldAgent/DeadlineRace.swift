import HeraldCore

/// One attempt of a transport, bounded by the delivery's deadline: whichever ends first wins, and the
/// other is cancelled. Libraries' own timeouts cover only part of an exchange (a response head, a
/// connect); this covers all of it.
enum DeadlineRace {
    static func run(
        until deadline: ContinuousClock.Instant,
        _ operation: @escaping @Sendable () async -> Result<ProviderResponse, TransportError>
    ) async -> Result<ProviderResponse, TransportError> {
        await withTaskGroup(of: Result<ProviderResponse, TransportError>?.self) { group in
            group.addTask { await operation() }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return Task.isCancelled ? nil : .failure(.timeout)
            }
            var outcome: Result<ProviderResponse, TransportError> = .failure(.timeout)
            for await value in group {
                if let value {
                    outcome = value
                    break
                }
            }
            group.cancelAll()
            return outcome
        }
    }
}
