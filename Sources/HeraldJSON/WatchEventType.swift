/// The `type` of one line of a Kubernetes watch stream (`{"type": …, "object": …}`).
///
/// It lives in this leaf target because two layers read watch lines and may not import each other:
/// HeraldKube's live watches, and HeraldCore's decoder for watch lines saved to a replay file.
public enum WatchEventType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case added = "ADDED"
    case modified = "MODIFIED"
    case deleted = "DELETED"
    /// A progress marker: only `metadata.resourceVersion` of its object is meaningful.
    case bookmark = "BOOKMARK"
    /// The object is a `Status`, not the watched resource (410 Gone ends a watch this way).
    case error = "ERROR"

    /// ADDED or MODIFIED: the object now exists in the form the line carries.
    public var isUpsert: Bool { self == .added || self == .modified }

    public var description: String { rawValue }
}
