import HeraldCore

/// A read that decides whether a write is needed: Flux does not post the same commit status twice.
struct CheckedWrite: DeliveryExchange {
    var read: OutgoingRequest
    var write: OutgoingRequest
    /// Statuses of the read that mean "nothing there yet" rather than a failure (Bitbucket's 404).
    var readAccepts: Set<Int> = []
    /// Given the read's response, whether the write would repeat what is already there.
    var isDuplicate: @Sendable (_ response: ProviderResponse) -> Bool

    var preview: [OutgoingRequest] { [read, write] }

    func run(in session: any DeliverySession) async throws(DeliveryFailure) -> ExchangeResult {
        let existing: ProviderResponse
        do {
            existing = try await session.send(read, accepting: readAccepts)
        } catch {
            var failure = error
            failure.message = "failed to read existing commit statuses: " + failure.message
            throw failure
        }
        if isDuplicate(existing) { return .duplicate }
        return .written(status: try await session.send(write).status)
    }
}
