/// Matches an event against every Alert and applies the provider-level rules (reference §3.2–§3.4).
///
/// The event must already be cleaned (``MetadataCleanup/clean(_:)``) and past the rate limiter; the
/// router removes the internal token itself. Pure: the same inputs always give the same outcomes.
public enum Router {
    /// The notifications `event` causes under `table`, and the warnings found on the way (a Provider
    /// that cannot be built, a bad `commitStatusExpr`).
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
