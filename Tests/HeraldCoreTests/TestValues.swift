import HeraldCore
import HeraldJSON

/// Builders for the values the Core suites share, with the reference's usual names.
enum TestValues {
    static let kustomizeGroup = "kustomize.toolkit.fluxcd.io"

    static func kustomization(
        name: String = "webapp", namespace: String = "apps", severity: String = Event.severityInfo,
        message: String = "Reconciliation finished in 1.2s, next run in 10m0s", reason: String = "ReconciliationSucceeded",
        metadata: [String: String] = [:]
    ) -> Event {
        Event(
            involvedObject: ObjectReference(
                kind: "Kustomization", namespace: namespace, name: name, uid: "7d0cdc51-ddcf-4743-b223-83ca5c699632",
                apiVersion: "kustomize.toolkit.fluxcd.io/v1", resourceVersion: "81234"),
            severity: severity,
            timestamp: FluxTimestamp(rfc3339: "2026-08-01T10:00:00Z"),
            message: message,
            reason: reason,
            metadata: metadata,
            reportingController: "kustomize-controller",
            reportingInstance: "kustomize-controller-7c7b47f5f-8bhrp"
        )
    }

    static func alert(
        _ name: String = "on-call", namespace: String = "apps", provider: String = "slack",
        severity: String = Event.severityInfo, sources: [EventSource] = [EventSource(kind: "Kustomization", name: "*")],
        inclusionList: [String] = [], exclusionList: [String] = [], eventMetadata: [String: String] = [:],
        summary: String = "", suspend: Bool = false
    ) -> Alert {
        Alert(
            meta: ObjectMeta(key: ObjectKey(namespace: namespace, name: name)), providerName: provider,
            eventSeverity: severity, eventSources: sources, inclusionList: inclusionList, exclusionList: exclusionList,
            eventMetadata: eventMetadata, summary: summary, suspend: suspend)
    }

    static func provider(
        _ name: String = "slack", namespace: String = "apps", type: ProviderType = .slack, suspend: Bool = false,
        serviceAccountName: String = "", commitStatusExpr: String = ""
    ) -> Provider {
        Provider(
            meta: ObjectMeta(key: ObjectKey(namespace: namespace, name: name), uid: "0c9c2e41-d2f9-4f9b-9c41-7e7b1f0b3c6a"),
            type: type, address: "https://example.com/hook", serviceAccountName: serviceAccountName,
            commitStatusExpr: commitStatusExpr, suspend: suspend)
    }
}

/// A label lookup over a fixed set of objects, recording what was asked.
struct FixedLabels: LabelLookup {
    struct Entry: Hashable, Sendable {
        var group: String
        var kind: String
        var key: ObjectKey
    }

    var objects: [Entry: [String: String]]

    init(_ objects: [Entry: [String: String]]) { self.objects = objects }

    /// One Kustomization `apps/webapp` with the given labels.
    static func webapp(_ labels: [String: String]) -> FixedLabels {
        FixedLabels([
            Entry(group: TestValues.kustomizeGroup, kind: "Kustomization", key: ObjectKey(namespace: "apps", name: "webapp")): labels
        ])
    }

    func labels(group: String, kind: String, key: ObjectKey) -> [String: String]? {
        objects[Entry(group: group, kind: kind, key: key)]
    }
}
