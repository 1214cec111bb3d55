/// The Alerts and Providers in force, immutable: a new table replaces it when objects change.
public struct RoutingTable: Sendable {
    /// Sorted by `namespace/name`, the order notifications are produced in.
    public let alerts: [CompiledAlert]
    public let providers: [ObjectKey: Provider]
    /// Alert positions by the (namespace, kind) their event sources select, ascending: an event is only
    /// tested against Alerts that could match its involved object.
    let candidates: [SourceKey: [Int]]
    /// The (namespace, kind) pairs some Alert selects by `matchLabels`: only their events need the
    /// involved object's labels read before routing.
    let labelSelected: Set<SourceKey>
    /// Each commit-status Provider's `spec.commitStatusExpr`, parsed once per snapshot, not per event.
    let commitStatusExpressions: [ObjectKey: Result<CommitStatusExpression, ExpressionError>]

    struct SourceKey: Hashable {
        var namespace: String
        var kind: String
    }

    /// Indexes Alerts by the namespace and kind they select, so an event is matched only against
    /// the Alerts that can select it.
    public init(alerts: [Alert], providers: [Provider]) {
        self.alerts = alerts.sorted { $0.key < $1.key }.map(CompiledAlert.init)
        var byKey: [ObjectKey: Provider] = [:]
        var expressions: [ObjectKey: Result<CommitStatusExpression, ExpressionError>] = [:]
        for provider in providers {
            byKey[provider.key] = provider
            if provider.type.isCommitStatus && !provider.commitStatusExpr.isEmpty {
                expressions[provider.key] = Result { () throws(ExpressionError) in try CommitStatusExpression(provider.commitStatusExpr) }
            }
        }
        self.providers = byKey
        commitStatusExpressions = expressions
        var candidates: [SourceKey: [Int]] = [:]
        var labelSelected: Set<SourceKey> = []
        for (position, compiled) in self.alerts.enumerated() {
            for source in compiled.alert.eventSources {
                let key = SourceKey(namespace: source.namespace(inAlertOf: compiled.key.namespace), kind: source.kind)
                if candidates[key]?.last != position { candidates[key, default: []].append(position) }
                if source.matchLabels != nil { labelSelected.insert(key) }
            }
        }
        self.candidates = candidates
        self.labelSelected = labelSelected
    }

    /// Whether an Alert selects objects of this namespace and kind by `matchLabels`, so routing an
    /// event about `object` needs its labels.
    public func selectsByLabels(_ object: ObjectReference) -> Bool {
        labelSelected.contains(SourceKey(namespace: object.namespace, kind: object.kind))
    }

    /// The Alerts whose sources name this object's namespace and kind, in Alert order.
    func candidates(for object: ObjectReference) -> [Int] {
        candidates[SourceKey(namespace: object.namespace, kind: object.kind)] ?? []
    }
}
