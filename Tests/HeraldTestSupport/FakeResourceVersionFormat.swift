/// How a `FakeKubeAPIServer` writes `resourceVersion`s. Clients must treat them as opaque strings
/// compared only for equality (API conventions; client-go never parses them), so a test can make the
/// fake's versions non-numeric and unordered to prove that a client does not depend on their form.
public enum FakeResourceVersionFormat: Sendable, Hashable {
    /// Decimal etcd revisions (`"4711"`), as kube-apiserver and k3s's kine write them.
    case etcdRevision
    /// A letter and the revision in base 36 (`"r3mn"`): not a number, and string order is not revision order.
    case opaque

    /// The string clients see for an internal revision.
    func string(_ revision: Int) -> String {
        switch self {
        case .etcdRevision: String(revision)
        case .opaque: "r" + String(revision, radix: 36)
        }
    }

    /// The internal revision a client's string names, or nil when it is not one this server wrote.
    func revision(_ text: String) -> Int? {
        switch self {
        case .etcdRevision: return Int(text)
        case .opaque: return text.first == "r" ? Int(text.dropFirst(), radix: 36) : nil
        }
    }
}
