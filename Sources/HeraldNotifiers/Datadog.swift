import HeraldCore
import HeraldJSON

/// Posts Flux events to the Datadog Events API, tagged so they can be found by object (reference §4.22).
struct DatadogNotifier: ProviderNotifier {
    /// The SDK's default server; the address only replaces its scheme and host, and only when it has them.
    static let defaultBase = "https://api.datadoghq.com"

    let url: String
    let apiKey: String

    init(settings: ProviderSettings) throws(ProviderError) {
        guard !settings.token.isEmpty else { throw .missingToken("token cannot be empty") }
        apiKey = settings.token
        let base = WebAddress(settings.address).map { "\($0.scheme)://\($0.hostAndPort)" } ?? Self.defaultBase
        url = "\(base)/api/v1/events"
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        let object = event.involvedObject
        var tags = [
            "flux_reporting_controller:\(event.reportingController)", "flux_reason:\(event.reason)", "kube_kind:\(object.kind)",
            "kube_name:\(object.name)", "kube_namespace:\(object.namespace)",
        ]
        for (key, value) in event.sortedMetadata { tags.append("\(key):\(value)") }
        // The SDK marshals a map (keys sorted) through json.Encoder, which ends the body with a newline.
        let body: JSONValue = [
            "alert_type": .string(event.isError ? "error" : "info"),
            "date_happened": .integer(Int(event.timestamp?.secondsSinceEpoch ?? 0)),
            "source_type_name": "fluxcd",
            "tags": .array(tags.map { .string($0.lowercased()) }),
            "text": .string(event.message),
            "title": .string("Events from the \(object.kind) \(object.name)/\(object.namespace)"),
        ]
        var request = JSONPost.request(
            url, body, headers: [HTTPHeaderField("Accept", "application/json"), HTTPHeaderField("DD-API-KEY", apiKey, isSecret: true)])
        request.body.append(UInt8(ascii: "\n"))
        return .send(request)
    }
}
