import HeraldCore

/// The transport each Provider type travels by, chosen by the request's URL scheme: HTTP(S) for
/// nearly all, the NATS protocol for `nats://` and `tls://` servers. Retries, deadlines, concurrency and
/// metrics stay in the Deliverer and Dispatcher, the same for every transport.
public struct ProviderTransport: Transport {
    public let http: HTTPTransport
    public let nats: NATSTransport

    public init(http: HTTPTransport = HTTPTransport(), nats: NATSTransport = NATSTransport()) {
        self.http = http
        self.nats = nats
    }

    public func send(
        _ request: OutgoingRequest, options: TransportOptions, deadline: ContinuousClock.Instant
    ) async throws(TransportError) -> ProviderResponse {
        if request.url.hasPrefix("nats://") || request.url.hasPrefix("tls://") {
            return try await nats.send(request, options: options, deadline: deadline)
        }
        return try await http.send(request, options: options, deadline: deadline)
    }

    /// Closes the HTTP connections; NATS connections last one publish and need no shutdown.
    public func shutdown() async { await http.shutdown() }
}
