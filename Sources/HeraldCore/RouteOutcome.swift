/// Why a matching Alert sends nothing for this event, although nothing is wrong.
public enum RouteSkip: Sendable, Hashable, CustomStringConvertible {
    case providerSuspended
    /// A commit-status update goes only to commit-status and generic providers.
    case commitStatusUpdateOnly(ProviderType)
    /// Commit-status providers need `commit` metadata, a commit-status update or an error.
    case missingCommitMetadata
    case missingChangeRequestMetadata

    public var description: String {
        switch self {
        case .providerSuspended: "provider is suspended"
        case .commitStatusUpdateOnly(let type): "commit status update events are not sent to \(type) providers"
        case .missingCommitMetadata: "event dropped for commit status providers due to missing commit metadata key"
        case .missingChangeRequestMetadata: "event dropped for change request providers due to missing change request metadata key"
        }
    }
}

/// Why a matching Alert cannot send; each one is a failed delivery for that Alert only.
public enum RouteError: Error, Sendable, Hashable, CustomStringConvertible {
    case crossNamespace(alert: ObjectKey, object: ObjectReference)
    case providerNotFound(ObjectKey)
    case workloadIdentityUnsupported(ObjectKey)
    /// `spec.commitStatusExpr` failed for this event (a missing key, a non-string result).
    case commitStatusExpression(ObjectKey, ExpressionError)

    /// The Provider the failure concerns, when the routing step got that far.
    public var provider: ObjectKey? {
        switch self {
        case .crossNamespace: nil
        case .providerNotFound(let key), .workloadIdentityUnsupported(let key), .commitStatusExpression(let key, _): key
        }
    }

    public var description: String {
        switch self {
        case .crossNamespace(let alert, let object):
            "discarding event, access denied to cross-namespace sources: alert '\(alert)' can't process event from "
                + "'\(object.displayName)', cross-namespace references have been blocked"
        case .providerNotFound(let key):
            "failed to read provider: Provider \(key) not found"
        case .workloadIdentityUnsupported(let key):
            "Provider \(key): spec.serviceAccountName (object-level workload identity) is not supported by Herald"
        case .commitStatusExpression(_, let error):
            "failed to create commit status: failed to evaluate the spec.commitStatusExpr CEL expression for the event: \(error)"
        }
    }
}

/// The fate of one matching Alert.
public enum RouteOutcome: Sendable, Hashable {
    case notify(Notification)
    case skipped(alert: ObjectKey, RouteSkip)
    case failed(alert: ObjectKey, RouteError)
}

/// An Alert that did not match for a reason the user should hear about.
public struct RouteWarning: Sendable, Hashable, CustomStringConvertible {
    public var alert: ObjectKey
    public var message: String
    public init(alert: ObjectKey, message: String) {
        self.alert = alert
        self.message = message
    }

    public var description: String { "Alert \(alert): \(message)" }
}
