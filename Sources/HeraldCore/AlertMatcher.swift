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
    /// Whether `compiled` selects `event`; the first failing step decides, as in Flux.
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
        let namespace = source.namespace(inAlertOf: alert.key.namespace)
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
