import HeraldCore
import HeraldJSON

/// Sends Flux events to a Lark (Feishu) bot webhook as an interactive card (reference §4.16).
struct LarkNotifier: ProviderNotifier {
    let url: String

    init(settings: ProviderSettings) throws(ProviderError) {
        url = try settings.webhookAddress().text
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        var content = "**\(event.message)**\n\n"
        for (key, value) in event.sortedMetadata { content += "\(key): \(value)\n" }
        let card: JSONValue = [
            "config": ["wide_screen_mode": true],
            "header": [
                "title": ["tag": "plain_text", "content": .string("\(event.isError ? "🚨" : "💫") \(EventText.objectName(event))")],
                "template": .string(event.isError ? "red" : "turquoise"),
            ],
            "elements": [["tag": "div", "text": ["tag": "lark_md", "content": .string(content)]]],
        ]
        return .send(JSONPost.request(url, ["msg_type": "interactive", "card": card]))
    }
}
