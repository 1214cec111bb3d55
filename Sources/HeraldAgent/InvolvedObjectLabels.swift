import HeraldCore

/// Reads an involved object's labels for `matchLabels` while an event waits (the cluster reads them
/// from the API server; files carry them in the manifests' snapshot instead).
public protocol InvolvedObjectLabels: Sendable {
    func labels(of object: ObjectReference) async -> [String: String]?
}

extension ClusterLabels: InvolvedObjectLabels {}

/// The labels of one object, fetched for one event.
struct FetchedLabels: LabelLookup {
    let object: ObjectReference
    let labels: [String: String]?

    func labels(group: String, kind: String, key: ObjectKey) -> [String: String]? {
        guard group == object.group, kind == object.kind, key.namespace == object.namespace, key.name == object.name else { return nil }
        return labels
    }
}
