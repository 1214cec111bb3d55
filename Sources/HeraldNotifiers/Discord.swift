import HeraldCore
import HeraldJSON

/// Sends Flux events to a Discord webhook through its Slack-compatible `/slack` endpoint.
struct DiscordNotifier: ProviderNotifier {
    let url: String
    let username: String

    init(settings: ProviderSettings) throws(ProviderError) {
        var address = try settings.webhookAddress()
        if !address.path.hasSuffix("/slack") {
            address.path = Self.joinPath(address.path, "slack")
        }
        url = address.text
        username = settings.username
    }

    /// Go's `path.Join`: joins with `/` and cleans repeated and trailing slashes.
    static func joinPath(_ base: String, _ element: String) -> String {
        let segments = (base + "/" + element).split(separator: "/").filter { $0 != "." }
        return "/" + segments.joined(separator: "/")
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        let message = SlackMessage(
            channel: "",
            username: username.isEmpty ? event.reportingController : username,
            fallback: "",
            color: event.isError ? "danger" : "good",
            event: event
        )
        return .send(
            OutgoingRequest(
                url: url, headers: [HTTPHeaderField("Content-Type", "application/json")],
                body: JSONWriter.bytes(message.jsonValue))
        )
    }
}
