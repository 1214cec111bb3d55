/// Where a Kubernetes resource lives in the REST API: `/api/v1/...` for the core group, `/apis/<group>/<version>/...` otherwise.
public struct ResourcePath: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    /// The plural resource name, e.g. `events`, `alerts`.
    public var resource: String
    /// `nil` for cluster-scoped resources and for lists across all namespaces.
    public var namespace: String?
    public var name: String?
    public var subresource: String?

    public init(group: String, version: String, resource: String, namespace: String? = nil, name: String? = nil, subresource: String? = nil)
    {
        self.group = group
        self.version = version
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.subresource = subresource
    }

    /// `group/version`, or `version` for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    public var path: String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if let namespace { path += "/namespaces/\(namespace)" }
        path += "/\(resource)"
        if let name { path += "/\(name)" }
        if let subresource { path += "/\(subresource)" }
        return path
    }

    public var description: String { path }

    /// The path of one object of this resource.
    public func named(_ name: String, namespace: String?) -> ResourcePath {
        var copy = self
        copy.name = name
        copy.namespace = namespace
        return copy
    }

    /// The path of a subresource of this object, such as `status`.
    public func subresource(_ subresource: String) -> ResourcePath {
        var copy = self
        copy.subresource = subresource
        return copy
    }
}
