import HeraldJSON

/// The two Kubernetes Event APIs. A caller that read an object from a known resource names the API,
/// because a real API server leaves `kind` and `apiVersion` out of the items of a list response.
public enum KubernetesEventAPI: Sendable, Hashable, CustomStringConvertible {
    /// `core/v1` Events: `involvedObject`, `message`, `lastTimestamp`, `count`.
    case coreV1
    /// `events.k8s.io/v1` Events: `regarding`, `note`, `series`, `deprecated*` fields.
    case eventsV1

    /// The API an `apiVersion` names; anything but `events.k8s.io/*` is `core/v1`.
    public init(apiVersion: String) {
        self = apiVersion.hasPrefix("events.k8s.io/") ? .eventsV1 : .coreV1
    }

    public var description: String {
        switch self {
        case .coreV1: "core/v1"
        case .eventsV1: "events.k8s.io/v1"
        }
    }
}
