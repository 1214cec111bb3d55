import HeraldCore
import HeraldJSON

/// Sends Flux events to a Rocket.Chat incoming webhook (Slack payload, Rocket colours, no default username).
struct RocketNotifier: ProviderNotifier {
    let url: String
    let channel: String
    let username: String

    init(settings: ProviderSettings) throws(ProviderError) {
        url = try settings.webhookAddress().text
        channel = settings.provider.channel
        username = settings.username
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        let message = SlackMessage(
            channel: channel,
            username: username,
            fallback: "",
            color: event.isError ? "#FF0000" : "#0076D7",
            event: event
        )
        return .send(
            OutgoingRequest(
                url: url, headers: [HTTPHeaderField("Content-Type", "application/json")],
                body: JSONWriter.bytes(message.jsonValue))
        )
    }
}
