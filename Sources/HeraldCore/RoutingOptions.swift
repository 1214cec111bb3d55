/// Options of the routing step that come from the command line.
public struct RoutingOptions: Sendable, Hashable {
    /// `--no-cross-namespace-refs`: an Alert may only select objects in its own namespace.
    public var noCrossNamespaceRefs: Bool
    /// `--cluster-name`: added to every notification as metadata `cluster`, unless an Alert or the event sets it.
    public var clusterName: String

    public init(noCrossNamespaceRefs: Bool = false, clusterName: String = "") {
        self.noCrossNamespaceRefs = noCrossNamespaceRefs
        self.clusterName = clusterName
    }
}
