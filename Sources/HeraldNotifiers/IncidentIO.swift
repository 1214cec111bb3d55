import HeraldCore
import HeraldJSON

/// Sends Flux events to an incident.io HTTP alert source: errors fire, everything else resolves (reference §4.27).
struct IncidentIONotifier: ProviderNotifier {
    let url: String
    let token: String

    init(settings: ProviderSettings) throws(ProviderError) {
        url = try settings.webhookAddress().text
        guard !settings.token.isEmpty else { throw .missingToken("empty incident.io API token") }
        token = settings.token
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        if event.reason == "Progressing" { return .skip(reason: "incident.io ignores Progressing events") }
        var metadata = event.metadata
        metadata["severity"] = event.severity
        metadata["reason"] = event.reason
        if !event.reportingController.isEmpty { metadata["reportingController"] = event.reportingController }
        var body = JSONObject([
            ("title", .string("\(EventText.objectName(event)): \(event.reason)")),
            ("status", .string(event.isError ? "firing" : "resolved")),
            ("deduplication_key", .string(event.involvedObject.uid)),
        ])
        if !event.message.isEmpty { body.append("description", .string(event.message)) }
        body.append("metadata", .sortedObject(metadata))
        return .send(JSONPost.request(url, .object(body), headers: [HTTPHeaderField("Authorization", "Bearer \(token)", isSecret: true)]))
    }
}
