import HeraldCore

/// Posts Flux events as Markdown to a Zulip stream topic with a bot's credentials (reference §4.24).
struct ZulipNotifier: ProviderNotifier {
    let url: String
    let stream: String
    let topic: String
    let authorization: HTTPHeaderField?

    init(settings: ProviderSettings) throws(ProviderError) {
        var address = try settings.webhookAddress()
        let channel = settings.provider.channel
        let parts = channel.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw .invalidChannel("invalid Zulip channel format, expected <channel>/<topic>, got '\(channel)'")
        }
        stream = String(parts[0])
        topic = String(parts[1])
        address.path = "/api/v1/messages"
        url = address.text
        authorization = BasicOrBearer.basic(username: settings.username, password: settings.password)
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        let form = FormEncoding.encode([
            ("type", "stream"), ("to", stream), ("topic", topic), ("content", MarkdownPost.text(for: event)),
        ])
        var headers = [HTTPHeaderField("Content-Type", "application/x-www-form-urlencoded")]
        if let authorization { headers.append(authorization) }
        return .send(OutgoingRequest(url: url, headers: headers, body: Array(form.utf8)))
    }
}
