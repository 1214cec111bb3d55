import HeraldJSON

/// Where an event came from, kept so cluster mode can tell a repeat from a new occurrence.
public enum EventOrigin: Sendable, Hashable {
    /// A Flux event as the controllers POST it.
    case flux
    /// A `core/v1` or `events.k8s.io/v1` Event; `count` is the occurrence counter the recorder bumps.
    case kubernetes(uid: String, count: Int, resourceVersion: String, watchType: WatchEventType?)
}

/// Why a well-formed input is not a notification candidate.
public enum EventIgnoreReason: Sendable, Hashable, CustomStringConvertible {
    /// The involved object has no namespace; Flux never forwards those (reference §1.3).
    case clusterScoped
    /// A `Normal` Event whose reason is on the trace deny-list.
    case trace(TraceRule)
    /// An Event recorded by a component on the ignore list (notification-controller, Herald).
    case ignoredComponent(String)
    /// A watch event other than ADDED or MODIFIED.
    case watchType(WatchEventType)
    /// An Event stored in one namespace about an object in another. The API server lets anyone who may
    /// create Events in a namespace name any object (with `eventTime` set), so believing it would let a
    /// tenant speak for another namespace's objects and reach that namespace's Alerts.
    case foreignNamespace(event: ObjectKey, involvedNamespace: String)

    public var description: String {
        switch self {
        case .clusterScoped: "involved object has no namespace"
        case .trace(let rule): "trace event (rule \(rule))"
        case .ignoredComponent(let component): "recorded by \(component)"
        case .watchType(let type): "watch event type \(type)"
        case .foreignNamespace(let event, let involvedNamespace):
            "Event \(event) names an object in namespace \(involvedNamespace); an Event is believed only in its own namespace"
        }
    }
}

/// The result of reading one input value.
public enum DecodedEvent: Sendable, Hashable {
    case event(Event, origin: EventOrigin)
    case ignored(EventIgnoreReason)
}

/// Why an input value is not an event at all; it names the field at fault.
public struct EventDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
