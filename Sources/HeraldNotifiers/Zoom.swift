import HeraldCore
import HeraldJSON

/// Posts Flux events to a Zoom Team Chat incoming webhook in its `full` format (reference §4.26).
struct ZoomNotifier: ProviderNotifier {
    let url: String
    let token: String

    init(settings: ProviderSettings) throws(ProviderError) {
        var address = try settings.webhookAddress()
        guard !settings.token.isEmpty else { throw .missingToken("empty Zoom verification token") }
        token = settings.token
        // Go's `q.Get("format") == ""`: an absent or empty format becomes `full`, and the query is re-encoded sorted.
        var query = FormEncoding.parse(address.query ?? "")
        if query.first(where: { $0.key == "format" })?.value.isEmpty ?? true {
            query.removeAll { $0.key == "format" }
            query.append((key: "format", value: "full"))
            address.query = FormEncoding.encode(query)
        }
        url = address.text
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        // `text` is omitempty in Flux's struct.
        var body: [JSONValue] = [event.message.isEmpty ? ["type": "message"] : ["type": "message", "text": .string(event.message)]]
        if !event.metadata.isEmpty {
            let items: [JSONValue] = event.sortedMetadata.map { ["key": .string($0.key), "value": .string($0.value)] }
            body.append(["type": "fields", "items": .array(items)])
        }
        let content: JSONValue = [
            "head": ["text": .string(EventText.objectName(event)), "sub_head": ["text": .string(event.severity)]],
            "body": .array(body),
        ]
        // Zoom's verification token is the whole header value, without a scheme.
        return .send(JSONPost.request(url, ["content": content], headers: [HTTPHeaderField("Authorization", token, isSecret: true)]))
    }
}
