/// Reads the labels of an involved object for `matchLabels`: from manifests in replay, from the API server in a cluster.
public protocol LabelLookup: Sendable {
    /// The object's labels, or `nil` when the object cannot be found.
    func labels(group: String, kind: String, key: ObjectKey) -> [String: String]?
}

/// A lookup for inputs that carry no objects: every `matchLabels` source fails to match.
public struct NoLabels: LabelLookup {
    public init() {}
    public func labels(group: String, kind: String, key: ObjectKey) -> [String: String]? { nil }
}

/// The outcome of testing one Alert against one event (reference §3.2).
public enum AlertMatch: Sendable, Hashable {
    case matched
    case suspended
    case noSource
    case message
    /// A source with `matchLabels` named the object, but the object could not be read.
    case sourceNotFound(ObjectReference)
}

/// The Alert filter of reference §3.2, in its exact order.
public enum AlertMatcher {
    public static func match(_ compiled: CompiledAlert, event: Event, labels: any LabelLookup) -> AlertMatch {
        let alert = compiled.alert
        if alert.suspend { return .suspended }
        var missingObject = false
        var sourceMatched = false
        for index in alert.eventSources.indices {
            switch sourceMatch(alert.eventSources[index], alert: alert, event: event, labels: labels) {
            case .some(true): sourceMatched = true
            case .some(false): continue
            case nil: missingObject = true
            }
            if sourceMatched { break }
        }
        guard sourceMatched else { return missingObject ? .sourceNotFound(event.involvedObject) : .noSource }
        return compiled.messagePasses(event.message) ? .matched : .message
    }

    /// `true`/`false` for a decided source; `nil` when `matchLabels` needs an object that cannot be read.
    static func sourceMatch(_ source: EventSource, alert: Alert, event: Event, labels: any LabelLookup) -> Bool? {
        let namespace = source.namespace.isEmpty ? alert.key.namespace : source.namespace
        let object = event.involvedObject
        guard object.namespace == namespace, object.kind == source.kind else { return false }
        // `info` accepts every severity; anything else only itself.
        if event.severity != alert.eventSeverity && alert.eventSeverity != Event.severityInfo { return false }
        guard source.name == "*" || source.name == object.name else { return false }
        guard let selector = source.matchLabels else { return true }
        guard
            let objectLabels = labels.labels(
                group: object.group, kind: object.kind, key: ObjectKey(namespace: object.namespace, name: object.name))
        else { return nil }
        return selector.allSatisfy { objectLabels[$0.key] == $0.value }
    }
}
