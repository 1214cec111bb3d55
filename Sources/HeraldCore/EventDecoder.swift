import HeraldJSON

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
        // The API server sets `metadata.namespace`; a hand-written replay line may leave it out.
        let storedNamespace = try metadataFields.string("namespace")
        if !storedNamespace.isEmpty, storedNamespace != reference.namespace {
            let key = ObjectKey(namespace: storedNamespace, name: try metadataFields.string("name"))
            return .ignored(.foreignNamespace(event: key, involvedNamespace: reference.namespace))
        }
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

extension FluxTimestamp {
    /// Seconds since the epoch of Go's zero `time.Time` (0001-01-01T00:00:00Z).
    static let goZero: Int64 = -62_135_596_800
}
