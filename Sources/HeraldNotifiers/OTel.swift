import Crypto
import HeraldCore

/// Exports each Flux event as one OpenTelemetry span over OTLP/HTTP protobuf (reference §4.25, §10).
///
/// Spans of one Alert and revision share a trace: the trace id is the SHA-256 of `<alert uid>:<revision>`.
struct OTelNotifier: ProviderNotifier {
    static let schemaURL = "https://opentelemetry.io/schemas/1.34.0"
    static let scope = "flux:notification-controller"

    let url: String
    let headers: [HTTPHeaderField]

    init(settings: ProviderSettings) throws(ProviderError) {
        url = try settings.webhookAddress().text
        var headers = settings.headers.map { HTTPHeaderField($0.name, $0.value, isSecret: true) }
        // Flux adds credentials only next to headers from the Secret, and only when they bring no Authorization.
        if !headers.isEmpty, !headers.contains(where: { $0.name.lowercased() == "authorization" }) {
            if settings.username.isEmpty {
                let bearer = settings.password.isEmpty ? settings.token : settings.password
                headers.append(HTTPHeaderField("Authorization", "Bearer \(bearer)", isSecret: true))
            } else if !settings.password.isEmpty, let basic = BasicOrBearer.basic(username: settings.username, password: settings.password)
            {
                headers.append(basic)
            }
        }
        self.headers = [HTTPHeaderField("Content-Type", "application/x-protobuf")] + headers
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        guard let alert = context.alert else { throw .invalidSetting("alert metadata not found in context") }
        if event.involvedObject.kind == "HelmRepository" { return .skip(reason: "OpenTelemetry skips HelmRepository events") }
        return .send(OutgoingRequest(url: url, headers: headers, body: Self.export(event, alert: alert, alertUID: context.alertUID)))
    }

    /// `<app-version>@<oci-digest>` when both are there, else `revision`, else `unknown`.
    static func revision(_ metadata: [String: String]) -> String {
        if let digest = metadata["oci-digest"], let version = metadata["app-version"] { return "\(version)@\(digest)" }
        return metadata["revision"] ?? "unknown"
    }

    /// An `ExportTraceServiceRequest` with one resource, one scope and one span.
    static func export(_ event: Event, alert: ObjectKey, alertUID: String) -> [UInt8] {
        let traceID = Array(SHA256.hash(data: Array("\(alertUID):\(revision(event.metadata))".utf8)))[0..<16]
        // Go's SDK draws the span id at random; Herald derives it, so rendering stays pure.
        let spanID = Array(SHA256.hash(data: Array(traceID) + event.jsonBytes))[0..<8]
        let object = event.involvedObject
        let start = UInt64(max(0, event.timestamp?.secondsSinceEpoch ?? 0)) * 1_000_000_000
        var attributes = [
            ("object.uid", object.uid), ("object.kind", object.kind), ("object.name", object.name), ("object.namespace", object.namespace),
        ]
        attributes += event.sortedMetadata.map { ($0.key, $0.value) }
        var request = ProtobufWriter()
        request.message(1) { resourceSpans in
            resourceSpans.message(1) { resource in
                for (key, value) in [
                    ("service.name", "\(alert.namespace)/\(alert.name)"), ("service.namespace", alert.namespace),
                    ("service.instance.id", alertUID),
                ] {
                    resource.keyValue(1, key, value)
                }
            }
            resourceSpans.message(2) { scopeSpans in
                scopeSpans.message(1) { scope in scope.string(1, Self.scope) }
                scopeSpans.message(2) { span in
                    span.bytes(1, Array(traceID))
                    span.bytes(2, Array(spanID))
                    span.string(5, "\(object.kind): \(object.namespace)/\(object.name)")
                    span.enumeration(6, 1)  // SPAN_KIND_INTERNAL
                    span.fixed64(7, start)
                    // Flux ends the span when it is exported; Herald renders without a clock, so it ends where it starts.
                    span.fixed64(8, start)
                    for (key, value) in attributes { span.keyValue(9, key, value) }
                    span.message(15) { status in
                        if event.isError { status.string(2, event.message) }
                        status.enumeration(3, event.isError ? 2 : 1)  // STATUS_CODE_ERROR : STATUS_CODE_OK
                    }
                }
            }
            resourceSpans.string(3, Self.schemaURL)
        }
        return request.bytes
    }
}

extension ProtobufWriter {
    /// An OTLP `KeyValue` with a string `AnyValue`.
    mutating func keyValue(_ field: Int, _ key: String, _ value: String) {
        message(field) { pair in
            pair.string(1, key)
            pair.message(2) { any in any.bytes(1, Array(value.utf8)) }
        }
    }
}
