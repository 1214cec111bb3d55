import HeraldJSON

/// A Kubernetes `ObjectReference`, the `involvedObject` of an event.
public struct ObjectReference: Sendable, Hashable {
    public var kind: String
    public var namespace: String
    public var name: String
    public var uid: String
    public var apiVersion: String
    public var resourceVersion: String
    public var fieldPath: String

    public init(
        kind: String = "", namespace: String = "", name: String = "", uid: String = "", apiVersion: String = "",
        resourceVersion: String = "", fieldPath: String = ""
    ) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.apiVersion = apiVersion
        self.resourceVersion = resourceVersion
        self.fieldPath = fieldPath
    }

    /// The API group of `apiVersion` (`kustomize.toolkit.fluxcd.io` for `kustomize.toolkit.fluxcd.io/v1`), empty for core.
    public var group: String {
        // Byte search: the router and the rate limiter ask for the group several times per event.
        guard let slash = apiVersion.utf8.firstIndex(of: UInt8(ascii: "/")) else { return "" }
        return String(Substring(apiVersion.utf8[..<slash]))
    }

    /// The object as `Kind/namespace/name`, the form Flux uses in messages.
    public var displayName: String { "\(kind)/\(namespace)/\(name)" }

    /// Go's `ObjectReference` field order, empty fields omitted.
    public var jsonValue: JSONValue {
        var object = JSONObject()
        for (key, value) in [
            ("kind", kind), ("namespace", namespace), ("name", name), ("uid", uid), ("apiVersion", apiVersion),
            ("resourceVersion", resourceVersion), ("fieldPath", fieldPath),
        ] where !value.isEmpty {
            object.append(key, .string(value))
        }
        return .object(object)
    }
}

/// The Flux event (`event.toolkit.fluxcd.io`), the unit that flows through Herald's pipeline.
///
/// Its JSON form is byte-compatible with what Flux controllers POST and what notification-controller
/// forwards to `generic` webhooks: Go field order, sorted metadata, `null` for a zero timestamp.
public struct Event: Sendable, Hashable {
    public var involvedObject: ObjectReference
    /// `info`, `error` or `trace`; kept as a string because the Flux server never validates it.
    public var severity: String
    public var timestamp: FluxTimestamp?
    public var message: String
    public var reason: String
    public var metadata: [String: String]
    public var reportingController: String
    public var reportingInstance: String

    public init(
        involvedObject: ObjectReference, severity: String, timestamp: FluxTimestamp?, message: String, reason: String,
        metadata: [String: String] = [:], reportingController: String = "", reportingInstance: String = ""
    ) {
        self.involvedObject = involvedObject
        self.severity = severity
        self.timestamp = timestamp
        self.message = message
        self.reason = reason
        self.metadata = metadata
        self.reportingController = reportingController
        self.reportingInstance = reportingInstance
    }

    public static let severityInfo = "info"
    public static let severityError = "error"
    public static let severityTrace = "trace"

    public var isError: Bool { severity == Event.severityError }

    /// The event as Flux's Go encoder writes it.
    public var jsonValue: JSONValue {
        var object = JSONObject()
        object.append("involvedObject", involvedObject.jsonValue)
        object.append("severity", .string(severity))
        object.append("timestamp", timestamp.map { .string($0.rfc3339) } ?? .null)
        object.append("message", .string(message))
        object.append("reason", .string(reason))
        if !metadata.isEmpty { object.append("metadata", .sortedObject(metadata)) }
        object.append("reportingController", .string(reportingController))
        if !reportingInstance.isEmpty { object.append("reportingInstance", .string(reportingInstance)) }
        return .object(object)
    }

    /// The exact bytes a `generic` webhook receives.
    public var jsonBytes: [UInt8] { JSONWriter.bytes(jsonValue) }
}
