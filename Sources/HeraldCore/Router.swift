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

/// Matches an event against every Alert and applies the provider-level rules (reference §3.2–§3.4).
///
/// The event must already be cleaned (``MetadataCleanup/clean(_:)``) and past the rate limiter; the
/// router removes the internal token itself. Pure: the same inputs always give the same outcomes.
public enum Router {
    public static func route(
        _ event: Event, table: RoutingTable, labels: any LabelLookup = NoLabels(), options: RoutingOptions = RoutingOptions()
    ) -> (outcomes: [RouteOutcome], warnings: [RouteWarning]) {
        let event = MetadataCleanup.excludeInternal(event)
        var outcomes: [RouteOutcome] = []
        var warnings: [RouteWarning] = []
        for position in table.candidates(for: event.involvedObject) {
            let compiled = table.alerts[position]
            switch AlertMatcher.match(compiled, event: event, labels: labels) {
            case .matched:
                outcomes.append(outcome(for: compiled.alert, event: event, table: table, options: options))
            case .sourceNotFound(let object):
                warnings.append(
                    RouteWarning(
                        alert: compiled.key,
                        message: "error getting source object \(object.displayName): matchLabels cannot match an object that is not known")
                )
            case .suspended, .noSource, .message:
                continue
            }
        }
        return (outcomes, warnings)
    }

    static func outcome(for alert: Alert, event: Event, table: RoutingTable, options: RoutingOptions) -> RouteOutcome {
        if options.noCrossNamespaceRefs && event.involvedObject.namespace != alert.key.namespace {
            return .failed(alert: alert.key, .crossNamespace(alert: alert.key, object: event.involvedObject))
        }
        guard let provider = table.providers[alert.providerKey] else {
            return .failed(alert: alert.key, .providerNotFound(alert.providerKey))
        }
        if provider.suspend { return .skipped(alert: alert.key, .providerSuspended) }
        let group = event.involvedObject.group
        let isCommitStatusUpdate = event.metadata["\(group)/commit_status"] == "update"
        if isCommitStatusUpdate && !provider.type.acceptsCommitStatusUpdates {
            return .skipped(alert: alert.key, .commitStatusUpdateOnly(provider.type))
        }
        if provider.type.isCommitStatus {
            let commit = event.metadata[MetadataCleanup.eventGroupPrefix + "commit"] ?? ""
            if commit.isEmpty && !isCommitStatusUpdate && !event.isError {
                return .skipped(alert: alert.key, .missingCommitMetadata)
            }
        }
        if provider.type.isChangeRequest && (event.metadata[MetadataCleanup.eventGroupPrefix + "change_request"] ?? "").isEmpty {
            return .skipped(alert: alert.key, .missingChangeRequestMetadata)
        }
        if !provider.serviceAccountName.isEmpty {
            return .failed(alert: alert.key, .workloadIdentityUnsupported(provider.key))
        }
        let (combined, conflicts) = MetadataCombiner.combine(event, alert: alert, clusterName: options.clusterName)
        var commitStatusID: String?
        if let compiled = table.commitStatusExpressions[provider.key] {
            do throws(ExpressionError) {
                let expression = try compiled.get()
                commitStatusID = try expression.evaluate(event: combined.jsonValue, alert: alert.jsonValue, provider: provider.jsonValue)
            } catch {
                return .failed(alert: alert.key, .commitStatusExpression(provider.key, error))
            }
        }
        return .notify(
            Notification(alert: alert, provider: provider, event: combined, conflicts: conflicts, commitStatusID: commitStatusID))
    }
}
