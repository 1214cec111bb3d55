/// The I/O an interactive notifier may do: requests under the delivery's rules, and the time.
///
/// Implemented by the deliverer; tests use the same implementation over a loopback socket.
public protocol DeliverySession: Sendable {
    /// Sends with the delivery's retry rules inside its deadline. Statuses outside 2xx and
    /// `accepting` throw; the failure's text is already masked.
    func send(_ request: OutgoingRequest, accepting: Set<Int>) async throws(DeliveryFailure) -> ProviderResponse

    /// Seconds since the Unix epoch, from the process's one injected wall clock.
    var now: Double { get }

    /// Registers a credential obtained during the delivery (an installation token) for masking.
    func conceal(_ secret: String)
}

extension DeliverySession {
    public func send(_ request: OutgoingRequest) async throws(DeliveryFailure) -> ProviderResponse {
        try await send(request, accepting: [])
    }
}

/// A provider's answer: status, headers and the body (bounded by the transport).
public struct ProviderResponse: Sendable, Hashable {
    public var status: Int
    public var headers: [HTTPHeaderField]
    public var body: [UInt8]

    public init(status: Int, headers: [HTTPHeaderField] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.last { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Why a delivery failed, with the response excerpt; every text is already masked.
public struct DeliveryFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var status: Int?
    public var excerpt: String?
    public var attempts: Int

    public init(message: String, status: Int? = nil, excerpt: String? = nil, attempts: Int = 0) {
        self.message = message
        self.status = status
        self.excerpt = excerpt
        self.attempts = attempts
    }

    public var description: String {
        var text = message
        if let excerpt, !excerpt.isEmpty { text += ": \(excerpt)" }
        return text
    }
}
