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
    /// Sends `request`, accepting only 2xx answers.
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

    /// The last value of header `name`, compared case-insensitively as HTTP requires.
    public func header(_ name: String) -> String? {
        headers.last { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// What kind of problem stopped a delivery, so metrics and status conditions need not read messages.
public enum DeliveryFailureKind: String, Sendable, Hashable, CaseIterable {
    /// The receiver answered with a status that is not success (the failure's `status` says which).
    case httpStatus
    /// The Provider's timeout ran out.
    case timeout
    /// The TLS handshake failed (an untrusted certificate, no common protocol).
    case tls
    /// Connecting or reading failed.
    case connection
    /// The request could not be built or sent at all (bad URL, unreadable certificate, unsupported proxy).
    case invalidRequest
    /// The Provider's queue was full; the notification was refused without an attempt.
    case queueFull
    /// Queued but never attempted: shutdown, or this replica stopped leading.
    case notAttempted
    /// Anything the provider's own exchange decided (a missing response field, a token endpoint refusal).
    case provider
}

/// Why a delivery failed, with the response excerpt; every text is already masked.
public struct DeliveryFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var status: Int?
    public var excerpt: String?
    public var attempts: Int
    public var kind: DeliveryFailureKind

    public init(
        message: String, status: Int? = nil, excerpt: String? = nil, attempts: Int = 0, kind: DeliveryFailureKind? = nil
    ) {
        self.message = message
        self.status = status
        self.excerpt = excerpt
        self.attempts = attempts
        self.kind = kind ?? (status == nil ? .provider : .httpStatus)
    }

    /// A short CamelCase word for a status condition's `reason`: `HTTP401`, `Timeout`, `TLSError`, …
    public var reason: String {
        switch kind {
        case .httpStatus: status.map { "HTTP\($0)" } ?? "HTTPError"
        case .timeout: "Timeout"
        case .tls: "TLSError"
        case .connection: "ConnectionError"
        case .invalidRequest: "InvalidRequest"
        case .queueFull: "QueueFull"
        case .notAttempted: "NotAttempted"
        case .provider: status.map { "HTTP\($0)" } ?? "DeliveryFailed"
        }
    }

    public var description: String {
        var text = message
        if let excerpt, !excerpt.isEmpty { text += ": \(excerpt)" }
        return text
    }
}
