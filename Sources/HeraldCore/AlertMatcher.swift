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

/// Why one event source of an Alert did or did not select the event's involved object.
public enum SourceVerdict: Sendable, Hashable {
    case matched
    case otherNamespace(wanted: String)
    case otherKind
    /// The Alert's `eventSeverity` is `error`, the event's is not.
    case severity(wanted: String)
    case otherName
    /// `matchLabels` needs the object's labels, which could not be read.
    case labelsUnknown
    case labelsDiffer
}

/// What a pattern did to an event's message.
public enum PatternResult: String, Sendable, Hashable {
    case matched, notMatched, invalid
}

/// One step of the Alert filter, recorded by ``AlertMatcher/explain(_:event:labels:)``.
public enum MatchStep: Sendable, Hashable {
    case suspended(Bool)
    case source(index: Int, EventSource, SourceVerdict)
    case inclusion(pattern: String, PatternResult)
    case exclusion(pattern: String, PatternResult)
}

/// Receives each step the matcher takes; the production path uses ``NoMatchTrace``, which costs nothing.
public protocol MatchTracing {
    mutating func record(_ step: @autoclosure () -> MatchStep)
}

/// Records nothing.
public struct NoMatchTrace: MatchTracing {
    public init() {}
    @inline(__always) public mutating func record(_ step: @autoclosure () -> MatchStep) {}
}

/// Keeps every step, for `herald explain`.
public struct MatchTrace: MatchTracing {
    public private(set) var steps: [MatchStep] = []
    public init() {}
    public mutating func record(_ step: @autoclosure () -> MatchStep) { steps.append(step()) }
}

/// The Alert filter of reference §3.2, in its exact order.
public enum AlertMatcher {
    public static func match(_ compiled: CompiledAlert, event: Event, labels: any LabelLookup) -> AlertMatch {
        var trace = NoMatchTrace()
        return match(compiled, event: event, labels: labels, trace: &trace)
    }

    /// The same decision as ``match(_:event:labels:)``, with every step that led to it.
    public static func explain(_ compiled: CompiledAlert, event: Event, labels: any LabelLookup) -> (AlertMatch, [MatchStep]) {
        var trace = MatchTrace()
        let result = match(compiled, event: event, labels: labels, trace: &trace)
        return (result, trace.steps)
    }

    static func match<Trace: MatchTracing>(
        _ compiled: CompiledAlert, event: Event, labels: any LabelLookup, trace: inout Trace
    ) -> AlertMatch {
        let alert = compiled.alert
        trace.record(.suspended(alert.suspend))
        if alert.suspend { return .suspended }
        var missingObject = false
        var sourceMatched = false
        for index in alert.eventSources.indices {
            let verdict = sourceMatch(alert.eventSources[index], alert: alert, event: event, labels: labels)
            trace.record(.source(index: index, alert.eventSources[index], verdict))
            switch verdict {
            case .matched: sourceMatched = true
            case .labelsUnknown: missingObject = true
            default: continue
            }
            if sourceMatched { break }
        }
        guard sourceMatched else { return missingObject ? .sourceNotFound(event.involvedObject) : .noSource }
        return compiled.messagePasses(event.message, trace: &trace) ? .matched : .message
    }

    static func sourceMatch(_ source: EventSource, alert: Alert, event: Event, labels: any LabelLookup) -> SourceVerdict {
        let namespace = source.namespace.isEmpty ? alert.key.namespace : source.namespace
        let object = event.involvedObject
        guard object.namespace == namespace else { return .otherNamespace(wanted: namespace) }
        guard object.kind == source.kind else { return .otherKind }
        // `info` accepts every severity; anything else only itself.
        if event.severity != alert.eventSeverity && alert.eventSeverity != Event.severityInfo {
            return .severity(wanted: alert.eventSeverity)
        }
        guard source.name == "*" || source.name == object.name else { return .otherName }
        guard let selector = source.matchLabels else { return .matched }
        guard
            let objectLabels = labels.labels(
                group: object.group, kind: object.kind, key: ObjectKey(namespace: object.namespace, name: object.name))
        else { return .labelsUnknown }
        return selector.allSatisfy { objectLabels[$0.key] == $0.value } ? .matched : .labelsDiffer
    }
}
