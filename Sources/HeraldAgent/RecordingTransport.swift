import HeraldCore
import Synchronization

/// The transport of `herald replay --dry-run`: records every request and answers it as a receiver
/// that accepts everything, so a dry-run takes the same path as a delivery down to the socket.
///
/// Requests are handed out in the order they were sent; the dry-run runs one delivery at a time, so
/// what ``take()`` returns after an outcome belongs to that delivery.
public final class RecordingTransport: Transport {
    private let recorded = Mutex<[OutgoingRequest]>([])

    public init() {}

    public func send(
        _ request: OutgoingRequest, options: TransportOptions, deadline: ContinuousClock.Instant
    ) async throws(TransportError) -> ProviderResponse {
        recorded.withLock { $0.append(request) }
        return ProviderResponse(status: 200, body: request.responseCheck.acceptedBody)
    }

    /// The requests recorded since the last call, oldest first.
    public func take() -> [OutgoingRequest] {
        recorded.withLock { requests in
            defer { requests.removeAll(keepingCapacity: true) }
            return requests
        }
    }
}
