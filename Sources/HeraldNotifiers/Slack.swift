import HeraldCore
import HeraldJSON

/// Sends Flux events to a Slack incoming webhook or to `chat.postMessage` with a bot token.
struct SlackNotifier: ProviderNotifier {
    static let postMessageURL = "https://slack.com/api/chat.postMessage"

    let url: String
    let channel: String
    let username: String
    let token: String

    init(settings: ProviderSettings) throws(ProviderError) {
        url = try settings.webhookAddress().text
        channel = settings.provider.channel
        username = settings.username
        token = settings.token
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        let message = SlackMessage(
            channel: channel,
            username: username.isEmpty ? event.reportingController : username,
            fallback: "\(EventText.objectName(event)): \(EventText.firstLine(event.message))",
            color: event.isError ? "danger" : "good",
            event: event
        )
        var request = OutgoingRequest(
            url: url,
            headers: [HTTPHeaderField("Content-Type", "application/json")],
            body: JSONWriter.bytes(message.jsonValue),
            responseCheck: url == Self.postMessageURL ? .slackAPI : .status
        )
        if !token.isEmpty { request.setHeader("Authorization", "Bearer \(token)", isSecret: true) }
        return .send(request)
    }
}

/// The Slack-compatible payload that Slack, Discord and Rocket.Chat receive, in Flux's field order.
struct SlackMessage {
    var channel: String
    var username: String
    var fallback: String
    var color: String
    var event: Event

    var jsonValue: JSONValue {
        // Metadata fields in key order: Flux iterates a Go map (random order); Herald is deterministic.
        let fields: [JSONValue] = event.metadata.keys.sorted().map { key in
            ["title": .string(key), "value": .string(event.metadata[key] ?? ""), "short": false]
        }
        let objectName = EventText.objectName(event)
        let attachment: JSONValue = [
            "fallback": .string(fallback),
            "color": .string(color),
            "author_name": .string(objectName),
            "text": .string(event.message),
            "mrkdwn_in": ["text"],
            "fields": .array(fields),
        ]
        return [
            "channel": .string(channel),
            "username": .string(username),
            "icon_url": "",
            "icon_emoji": "",
            "attachments": [attachment],
        ]
    }
}
