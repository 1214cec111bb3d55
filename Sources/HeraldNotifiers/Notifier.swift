import HeraldCore

/// Renders events into the requests one Provider needs; constructed once per Provider revision.
///
/// Rendering is pure: no I/O, no clock, no randomness, so every notifier is tested by comparing the
/// requests it returns. Sending belongs to the transport.
public protocol Notifier: Sendable {
    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan
}

extension Notifier {
    /// The plan for an event with no Alert-specific context (tests, send-test).
    public func plan(for event: Event) throws(ProviderError) -> DeliveryPlan {
        try plan(for: event, context: RenderContext())
    }
}

/// What rendering needs besides the event, decided by the router for one Alert.
public struct RenderContext: Sendable, Hashable {
    /// The commit-status id `spec.commitStatusExpr` gave; `nil` means Flux's default id.
    public var commitStatusID: String?
    /// The Alert the notification is for, and its uid (OpenTelemetry names the service after it).
    public var alert: ObjectKey?
    public var alertUID: String

    public init(commitStatusID: String? = nil, alert: ObjectKey? = nil, alertUID: String = "") {
        self.commitStatusID = commitStatusID
        self.alert = alert
        self.alertUID = alertUID
    }
}

/// A notifier the registry can build: construction validates the Provider once, not per event.
protocol ProviderNotifier: Notifier {
    init(settings: ProviderSettings) throws(ProviderError)

    /// The transport settings this notifier's requests need beyond the Provider's (NATS credentials).
    func transport(_ options: TransportOptions) -> TransportOptions
}

extension ProviderNotifier {
    func transport(_ options: TransportOptions) -> TransportOptions { options }
}

/// Why a Provider cannot be used or an event cannot be rendered for it.
///
/// Descriptions never contain a Secret value; an address that came from a Secret is not repeated.
public enum ProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    case unsupportedType(ProviderType)
    case secretNotFound(ObjectKey)
    case invalidAddress(type: ProviderType, address: String, fromSecret: Bool)
    case addressTooLong
    case invalidHeaders(String)
    case invalidProxy(String)
    case invalidTLS(String)
    case emptyHMACKey
    case missingToken(String)
    /// The channel does not have the form the type needs (Zulip's `stream/topic`, Telegram's chat id).
    case invalidChannel(String)
    /// Any other setting the type refuses, in Flux's wording.
    case invalidSetting(String)
    case unsupportedAuth(String)
    case invalidGitAddress(String)
    case invalidRepository(String)
    case missingRevision
    case invalidRevision(String)
    case invalidSeverity(String)

    public var description: String {
        switch self {
        case .unsupportedType(let type):
            "provider type \(type) is not supported yet"
        case .secretNotFound(let key):
            "failed to read secret \(key): not found"
        case .invalidAddress(let type, let address, let fromSecret):
            fromSecret
                ? "invalid \(type) address in Secret key 'address': not an absolute http(s) URL"
                : "invalid \(type) address \(address): not an absolute http(s) URL"
        case .addressTooLong:
            "invalid address in secret: address exceeds maximum length of 2048 bytes"
        case .invalidHeaders(let reason):
            "failed to read headers from secret: \(reason)"
        case .invalidProxy(let reason):
            "invalid proxy: \(reason)"
        case .invalidTLS(let reason):
            "invalid TLS settings: \(reason)"
        case .emptyHMACKey:
            "HMAC key is empty"
        case .missingToken(let message), .invalidChannel(let message), .invalidSetting(let message):
            message
        case .unsupportedAuth(let message):
            message
        case .invalidGitAddress(let reason):
            "could not parse git address: \(reason)"
        case .invalidRepository(let id):
            "invalid repository id \"\(id)\""
        case .missingRevision:
            "missing revision metadata"
        case .invalidRevision(let revision):
            "failed to extract commit hash from '\(revision)' revision"
        case .invalidSeverity(let severity):
            "invalid event severity \"\(severity)\": commit statuses are generated on info or error events only"
        }
    }
}
