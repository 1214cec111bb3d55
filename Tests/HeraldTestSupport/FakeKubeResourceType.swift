import HeraldJSON

/// A resource type (group, versions, plural) that a `FakeKubeAPIServer` serves, like a built-in
/// API or an installed CustomResourceDefinition. Register Flux CRDs with this before testing.
///
/// Every version serves the same stored objects with only `apiVersion` rewritten, which is what a
/// CRD with `conversion.strategy: None` does.
public struct FakeResourceType: Sendable, Hashable {
    /// The API group; `""` is the core (legacy) group served under `/api`.
    public var group: String
    /// The served versions; the first is the group's `preferredVersion` in discovery.
    public var versions: [String]
    /// The plural resource name used in URLs, e.g. `leases`.
    public var resource: String
    /// The object kind, e.g. `Lease`; lists are `<Kind>List`.
    public var kind: String
    /// Whether objects live in namespaces (`/namespaces/{ns}/{resource}`) or at cluster scope.
    public var namespaced: Bool
    /// Whether `<resource>/status` exists: then only it writes `.status`, and writes to the main
    /// resource keep the stored status (the split Kubernetes applies to types with a status subresource).
    public var statusSubresource: Bool
    /// Abbreviations listed in discovery (`ns`, `ev`), which kubectl resolves as resource names.
    public var shortNames: [String]
    /// Whether the type is compiled into the apiserver (a typed Go struct) rather than a custom resource.
    /// The items of a built-in type's list carry no `kind` and `apiVersion` (only the `<Kind>List` does);
    /// custom resources are stored unstructured and keep both.
    public var builtIn: Bool
    /// Members the Go struct always writes, with the value it writes when they are unset: fields without
    /// `omitempty`, and struct-typed fields, which `omitempty` does not omit (a zero `metav1.Time` is `null`).
    public var zeroValueFields: JSONObject

    /// A resource type; `versions` must not be empty.
    public init(
        group: String, versions: [String], resource: String, kind: String, namespaced: Bool, statusSubresource: Bool,
        shortNames: [String] = [], builtIn: Bool = false, zeroValueFields: JSONObject = JSONObject()
    ) {
        self.group = group
        self.versions = versions
        self.resource = resource
        self.kind = kind
        self.namespaced = namespaced
        self.statusSubresource = statusSubresource
        self.shortNames = shortNames
        self.builtIn = builtIn
        self.zeroValueFields = zeroValueFields
    }

    /// `v1` for the core group, `group/version` otherwise: the `apiVersion` of objects at `version`.
    public func apiVersion(_ version: String) -> String {
        group.isEmpty ? version : "\(group)/\(version)"
    }

    /// `leases.coordination.k8s.io`, or just `events` in the core group: how the apiserver names the
    /// resource in error messages.
    var qualifiedResource: String {
        group.isEmpty ? resource : "\(resource).\(group)"
    }
}
