import HeraldCore
import HeraldJSON

/// Writes Flux events as Grafana annotations through the graphite annotation API (reference §4.20).
struct GrafanaNotifier: ProviderNotifier {
    let url: String
    let authorization: HTTPHeaderField?

    init(settings: ProviderSettings) throws(ProviderError) {
        url = try settings.webhookAddress().text
        authorization = BasicOrBearer.header(token: settings.token, username: settings.username, password: settings.password)
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        // Grafana splits tags at ':'; Flux writes '|' inside keys and values so each tag stays `key: value`.
        let escape = { (text: String) in String(text.map { $0 == ":" ? "|" : $0 }) }
        var tags: [JSONValue] = ["flux", .string(event.reportingController)]
        for (key, value) in event.sortedMetadata { tags.append(.string("\(escape(key)): \(escape(value))")) }
        let object = event.involvedObject
        tags += [.string("kind: \(object.kind)"), .string("name: \(object.name)"), .string("namespace: \(object.namespace)")]
        let body: JSONValue = [
            "when": .integer(Int(event.timestamp?.secondsSinceEpoch ?? 0)),
            "text": .string(EventText.objectName(event)),
            "tags": .array(tags),
        ]
        return .send(JSONPost.request(url, body, headers: authorization.map { [$0] } ?? []))
    }
}

/// The credential header of providers that take a bearer token or basic credentials.
enum BasicOrBearer {
    /// Bearer when a token is set, else Basic when both username and password are, else nothing.
    static func header(token: String, username: String, password: String) -> HTTPHeaderField? {
        if !token.isEmpty { return HTTPHeaderField("Authorization", "Bearer \(token)", isSecret: true) }
        guard !username.isEmpty, !password.isEmpty else { return nil }
        return basic(username: username, password: password)
    }

    /// Basic when a username or a password is set (Go's `SetBasicAuth`).
    static func basic(username: String, password: String) -> HTTPHeaderField? {
        guard !username.isEmpty || !password.isEmpty else { return nil }
        return HTTPHeaderField("Authorization", "Basic \(Base64.encode(Array("\(username):\(password)".utf8)))", isSecret: true)
    }
}
