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
