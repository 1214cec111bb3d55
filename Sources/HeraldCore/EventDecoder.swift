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

    public var description: String {
        switch self {
        case .clusterScoped: "involved object has no namespace"
        case .trace(let rule): "trace event (rule \(rule))"
        case .ignoredComponent(let component): "recorded by \(component)"
        case .watchType(let type): "watch event type \(type)"
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

/// Turns Flux events and Kubernetes Events into Flux ``Event``s (reference §1.1, §1.5).
///
/// Two entry points. ``decodeKubernetesEvent(_:api:watchType:filter:)`` is for input whose type is known
/// from where it was read (the Event watch and its lists): it never looks at `kind`. ``decode(_:filter:)``
/// is for input of unknown shape (`herald replay --events`): it tells a Flux event, a Kubernetes Event
/// and a watch event `{"type":…,"object":…}` apart by their fields.
public enum EventDecoder {
    /// Decodes input of unknown shape by sniffing (replay files, standard input).
    ///
    /// A watch line is recognised by `type` plus `object`; a Kubernetes Event by `kind: Event`, or, without
    /// `kind` (an item copied out of a list response), by `regarding`, or by `involvedObject` together with a
    /// Kubernetes `type` and no Flux `severity`. Everything else is read as a Flux event.
    public static func decode(_ value: JSONValue, filter: EventFilter) throws(EventDecodingError) -> DecodedEvent {
        guard case .object(let object) = value else {
            throw EventDecodingError("expected a JSON object, got \(value.typeName)")
        }
        if let type = object["type"], let inner = object["object"], object["involvedObject"] == nil {
            guard case .string(let typeName) = type else { throw EventDecodingError("type: expected a string") }
            guard let watchType = WatchEventType(rawValue: typeName) else {
                throw EventDecodingError("type: unknown watch event type \(typeName)")
            }
            guard case .object(let eventObject) = inner else { throw EventDecodingError("object: expected an object") }
            guard watchType.isUpsert else { return .ignored(.watchType(watchType)) }
            return try decodeKubernetes(eventObject, api: sniffedAPI(eventObject), path: "object.", watchType: watchType, filter: filter)
        }
        if looksLikeKubernetesEvent(object) {
            return try decodeKubernetes(object, api: sniffedAPI(object), path: "", watchType: nil, filter: filter)
        }
        return try decodeFlux(object)
    }

    /// Decodes an object read from an Event resource of the given API, whatever `kind` and `apiVersion`
    /// it carries (list items carry neither). `watchType` is the watch event's type, nil for a list item.
    public static func decodeKubernetesEvent(
        _ value: JSONValue, api: KubernetesEventAPI, watchType: WatchEventType?, filter: EventFilter
    ) throws(EventDecodingError) -> DecodedEvent {
        guard case .object(let object) = value else {
            throw EventDecodingError("expected a JSON object, got \(value.typeName)")
        }
        return try decodeKubernetes(object, api: api, path: "", watchType: watchType, filter: filter)
    }

    /// The API of an Event read without context: its `apiVersion`, or, when a list item left that out,
    /// `regarding`, the field only `events.k8s.io/v1` has.
    private static func sniffedAPI(_ object: JSONObject) -> KubernetesEventAPI {
        if let apiVersion = object["apiVersion"]?.stringValue, !apiVersion.isEmpty { return KubernetesEventAPI(apiVersion: apiVersion) }
        return object["regarding"] != nil ? .eventsV1 : .coreV1
    }

    private static func looksLikeKubernetesEvent(_ object: JSONObject) -> Bool {
        if case .string(let kind) = object["kind"] ?? .null { return kind == "Event" }
        if object["regarding"] != nil { return true }
        return object["involvedObject"] != nil && object["severity"] == nil && object["type"] != nil
    }

    /// A Flux event, as Go's decoder reads it: unknown fields ignored, wrong types rejected.
    public static func decodeFlux(_ object: JSONObject) throws(EventDecodingError) -> DecodedEvent {
        let fields = FieldReader(object: object, path: "")
        let involved = try fields.object("involvedObject")
        var reference = ObjectReference()
        if let involved {
            let inner = FieldReader(object: involved, path: "involvedObject.")
            reference = try inner.objectReference()
        }
        let timestamp = try fields.timestamp("timestamp")
        let event = Event(
            involvedObject: reference,
            severity: try fields.string("severity"),
            timestamp: timestamp,
            message: try fields.string("message"),
            reason: try fields.string("reason"),
            metadata: try fields.stringMap("metadata") ?? [:],
            reportingController: try fields.string("reportingController"),
            reportingInstance: try fields.string("reportingInstance")
        )
        guard !event.involvedObject.namespace.isEmpty else { return .ignored(.clusterScoped) }
        return .event(event, origin: .flux)
    }

    /// The timestamp fallback chain: series lastObservedTime (events.k8s.io), lastTimestamp, eventTime,
    /// firstTimestamp, creationTimestamp.
    private static func occurrenceTime(
        _ fields: FieldReader, metadata: FieldReader, isEventsV1: Bool
    ) throws(EventDecodingError) -> FluxTimestamp? {
        if isEventsV1, let series = try fields.object("series") {
            let seriesFields = FieldReader(object: series, path: fields.path + "series.")
            if let observed = try seriesFields.timestamp("lastObservedTime") { return observed }
        }
        if let last = try fields.timestamp(isEventsV1 ? "deprecatedLastTimestamp" : "lastTimestamp") { return last }
        if let eventTime = try fields.timestamp("eventTime") { return eventTime }
        if let first = try fields.timestamp(isEventsV1 ? "deprecatedFirstTimestamp" : "firstTimestamp") { return first }
        return try metadata.timestamp("creationTimestamp")
    }

    /// How often the Event has occurred: `count` (core/v1), or the series count (events.k8s.io).
    private static func occurrenceCount(_ fields: FieldReader, isEventsV1: Bool) throws(EventDecodingError) -> Int {
        guard isEventsV1 else { return try fields.int("count") ?? 1 }
        if let series = try fields.object("series") {
            return try FieldReader(object: series, path: fields.path + "series.").int("count") ?? 1
        }
        return try fields.int("deprecatedCount") ?? 1
    }

    /// A Kubernetes Event of `api`, mapped as reference §1.5 recommends; `path` prefixes field names in errors.
    private static func decodeKubernetes(
        _ object: JSONObject, api: KubernetesEventAPI, path: String, watchType: WatchEventType?, filter: EventFilter
    ) throws(EventDecodingError)
        -> DecodedEvent
    {
        let fields = FieldReader(object: object, path: path)
        let isEventsV1 = api == .eventsV1
        let metadata = try fields.object("metadata") ?? JSONObject()
        let metadataFields = FieldReader(object: metadata, path: fields.path + "metadata.")
        let annotations = try metadataFields.stringMap("annotations") ?? [:]

        var reference = ObjectReference()
        if let involved = try fields.object(isEventsV1 ? "regarding" : "involvedObject") {
            let inner = FieldReader(object: involved, path: fields.path + (isEventsV1 ? "regarding." : "involvedObject."))
            reference = try inner.objectReference()
        }
        let type = try fields.string("type")
        let reason = try fields.string("reason")
        let message = try fields.string(isEventsV1 ? "note" : "message")

        var component = try fields.string(isEventsV1 ? "reportingController" : "reportingComponent")
        var host = try fields.string("reportingInstance")
        if let source = try fields.object(isEventsV1 ? "deprecatedSource" : "source") {
            let sourceFields = FieldReader(object: source, path: fields.path + (isEventsV1 ? "deprecatedSource." : "source."))
            if component.isEmpty { component = try sourceFields.string("component") }
            if host.isEmpty { host = try sourceFields.string("host") }
        }

        let timestamp = try occurrenceTime(fields, metadata: metadataFields, isEventsV1: isEventsV1)
        let count = try occurrenceCount(fields, isEventsV1: isEventsV1)

        if filter.ignoredComponents.contains(component) { return .ignored(.ignoredComponent(component)) }
        guard !reference.namespace.isEmpty else { return .ignored(.clusterScoped) }
        if type != "Warning", let rule = filter.traceRule(reason: reason, message: message) {
            return .ignored(.trace(rule))
        }
        let event = Event(
            involvedObject: reference,
            severity: type == "Warning" ? Event.severityError : Event.severityInfo,
            timestamp: timestamp,
            message: message,
            reason: reason,
            metadata: annotations,
            reportingController: component,
            reportingInstance: host
        )
        let origin = EventOrigin.kubernetes(
            uid: try metadataFields.string("uid"),
            count: count,
            resourceVersion: try metadataFields.string("resourceVersion"),
            watchType: watchType
        )
        return .event(event, origin: origin)
    }
}

/// Reads typed fields of a JSON object and names the field in every error.
struct FieldReader {
    let object: JSONObject
    let path: String

    func string(_ key: String) throws(EventDecodingError) -> String {
        switch object[key] {
        case nil, .null: return ""
        case .string(let value): return value
        case .some(let other): throw EventDecodingError("\(path)\(key): expected a string, got \(other.typeName)")
        }
    }

    func int(_ key: String) throws(EventDecodingError) -> Int? {
        switch object[key] {
        case nil, .null: return nil
        case .number(let text):
            guard let value = Int(text) else { throw EventDecodingError("\(path)\(key): expected an integer, got \(text)") }
            return value
        case .some(let other): throw EventDecodingError("\(path)\(key): expected an integer, got \(other.typeName)")
        }
    }

    func object(_ key: String) throws(EventDecodingError) -> JSONObject? {
        switch object[key] {
        case nil, .null: return nil
        case .object(let value): return value
        case .some(let other): throw EventDecodingError("\(path)\(key): expected an object, got \(other.typeName)")
        }
    }

    func stringMap(_ key: String) throws(EventDecodingError) -> [String: String]? {
        guard let map = try object(key) else { return nil }
        var result: [String: String] = [:]
        for (name, value) in map {
            guard case .string(let text) = value else {
                throw EventDecodingError("\(path)\(key).\(name): expected a string, got \(value.typeName)")
            }
            result[name] = text
        }
        return result
    }

    func timestamp(_ key: String) throws(EventDecodingError) -> FluxTimestamp? {
        switch object[key] {
        case nil, .null: return nil
        case .string(let text):
            if text.isEmpty { return nil }
            guard let value = FluxTimestamp(rfc3339: text) else {
                throw EventDecodingError("\(path)\(key): not an RFC 3339 time: \(text)")
            }
            // Go's zero time marshals as 0001-01-01T00:00:00Z; Flux writes it as null.
            return value.secondsSinceEpoch == FluxTimestamp.goZero ? nil : value
        case .some(let other): throw EventDecodingError("\(path)\(key): expected a string, got \(other.typeName)")
        }
    }

    func objectReference() throws(EventDecodingError) -> ObjectReference {
        ObjectReference(
            kind: try string("kind"), namespace: try string("namespace"), name: try string("name"),
            uid: try string("uid"), apiVersion: try string("apiVersion"),
            resourceVersion: try string("resourceVersion"), fieldPath: try string("fieldPath")
        )
    }
}

extension FluxTimestamp {
    /// Seconds since the epoch of Go's zero `time.Time` (0001-01-01T00:00:00Z).
    static let goZero: Int64 = -62_135_596_800
}
