/// One Alert's part in routing one event: whether it was tested, each filter step, and its outcome.
public struct AlertExplanation: Sendable, Hashable {
    public var alert: ObjectKey
    /// The Provider the Alert names.
    public var provider: ObjectKey
    /// False when none of its event sources names the event's namespace and kind: the router never tests it.
    public var isCandidate: Bool
    public var steps: [MatchStep]
    /// Nil when the Alert was not a candidate.
    public var match: AlertMatch?
    /// The provider checks' result, when the Alert matched.
    public var outcome: RouteOutcome?
}

extension Router {
    /// Every Alert's decision for `event`, taken by the same code as ``route(_:table:labels:options:)``
    /// with its steps recorded, for `herald explain`. The event must already be cleaned and past the
    /// rate limiter, as for `route`.
    public static func explain(
        _ event: Event, table: RoutingTable, labels: any LabelLookup = NoLabels(), options: RoutingOptions = RoutingOptions()
    ) -> [AlertExplanation] {
        let event = MetadataCleanup.excludeInternal(event)
        let candidates = Set(table.candidates(for: event.involvedObject))
        return table.alerts.enumerated().map { position, compiled in
            guard candidates.contains(position) else {
                return AlertExplanation(
                    alert: compiled.key, provider: compiled.alert.providerKey, isCandidate: false, steps: [], match: nil, outcome: nil)
            }
            let (match, steps) = AlertMatcher.explain(compiled, event: event, labels: labels)
            let outcome = match == .matched ? outcome(for: compiled.alert, event: event, table: table, options: options) : nil
            return AlertExplanation(
                alert: compiled.key, provider: compiled.alert.providerKey, isCandidate: true, steps: steps, match: match, outcome: outcome)
        }
    }
}
