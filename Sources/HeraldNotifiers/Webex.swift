import HeraldCore
import HeraldJSON

/// Posts Flux events as Markdown messages to a Webex room with a bot token (reference §4.12).
struct WebexNotifier: ProviderNotifier {
    let url: String
    let roomID: String
    let token: String

    init(settings: ProviderSettings) throws(ProviderError) {
        url = try settings.webhookAddress().text
        roomID = settings.provider.channel
        token = settings.token
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        var markdown = "\(event.isError ? "💣" : "✅") **\(EventText.objectName(event))**\n\(event.message)\n"
        for (key, value) in event.sortedMetadata { markdown += ">**\(key)**: \(value)\n" }
        var body = JSONObject()
        if !roomID.isEmpty { body.append("roomId", .string(roomID)) }
        body.append("markdown", .string(markdown))
        // Flux sets the header even when the token is empty (Go trims the value to `Bearer` on the wire).
        return .send(
            JSONPost.request(
                url, .object(body),
                headers: [HTTPHeaderField("Authorization", token.isEmpty ? "Bearer" : "Bearer \(token)", isSecret: !token.isEmpty)]))
    }
}
