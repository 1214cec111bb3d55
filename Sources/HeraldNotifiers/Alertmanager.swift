import HeraldCore
import HeraldJSON

/// Sends each Flux event as one firing alert to Prometheus Alertmanager's v2 API (reference §4.19).
struct AlertmanagerNotifier: ProviderNotifier {
    let url: String
    let authorization: HTTPHeaderField?

    init(settings: ProviderSettings) throws(ProviderError) {
        url = try settings.webhookAddress().text
        // Flux keeps one request hook: with both a token and username+password, Basic replaces Bearer.
        if !settings.username.isEmpty && !settings.password.isEmpty {
            authorization = BasicOrBearer.basic(username: settings.username, password: settings.password)
        } else if !settings.token.isEmpty {
            authorization = HTTPHeaderField("Authorization", "Bearer \(settings.token)", isSecret: true)
        } else {
            authorization = nil
        }
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        var labels = event.metadata
        let summary = labels.removeValue(forKey: "summary")
        let object = event.involvedObject
        labels["alertname"] = "Flux\(object.kind)\(Self.titleCase(event.reason))"
        labels["severity"] = event.severity
        labels["reason"] = event.reason
        labels["kind"] = object.kind
        labels["name"] = object.name
        labels["namespace"] = object.namespace
        labels["reportingcontroller"] = event.reportingController
        var annotations: [String: String] = ["message": event.message]
        if let summary { annotations["summary"] = summary }
        let alert: JSONValue = [
            "status": "firing",
            "labels": .sortedObject(labels),
            "annotations": .sortedObject(annotations),
            "startsAt": .string(event.timestamp?.rfc3339 ?? Self.goZeroTime),
            "endsAt": .string(Self.goZeroTime),
        ]
        return .send(JSONPost.request(url, [alert], headers: authorization.map { [$0] } ?? []))
    }

    /// Go's zero `time.Time` in RFC 3339: `endsAt` is always this (its `omitempty` has no effect).
    static let goZeroTime = "0001-01-01T00:00:00Z"

    /// Go's `cases.Title`: the first letter of each word upper-cased, the rest lower-cased.
    static func titleCase(_ text: String) -> String {
        var result = ""
        var atWordStart = true
        for character in text {
            // Words break at spaces and hyphens; `.`, `_` and `'` stay inside a word (`v1.2.3_x` → `V1.2.3_x`).
            if !(character.isWhitespace || character == "-") {
                result += atWordStart ? character.uppercased() : character.lowercased()
                atWordStart = false
            } else {
                result.append(character)
                atWordStart = true
            }
        }
        return result
    }
}
