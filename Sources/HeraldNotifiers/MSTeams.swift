import HeraldCore
import HeraldJSON

/// Sends Flux events to Microsoft Teams: a MessageCard for Office 365 connector URLs
/// (`*.webhook.office.com`), an Adaptive Card for everything else (Power Automate workflows).
struct MSTeamsNotifier: ProviderNotifier {
    let url: String
    let usesConnector: Bool

    init(settings: ProviderSettings) throws(ProviderError) {
        let address = try settings.webhookAddress()
        url = address.text
        usesConnector = address.host.lowercased().hasSuffix(".webhook.office.com")
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        let body = usesConnector ? messageCard(event) : adaptiveCard(event)
        return .send(
            OutgoingRequest(
                url: url, headers: [HTTPHeaderField("Content-Type", "application/json")], body: JSONWriter.bytes(body))
        )
    }

    func messageCard(_ event: Event) -> JSONValue {
        let objectName = EventText.objectName(event)
        let facts: [JSONValue] = event.metadata.keys.sorted().map { key in
            ["name": .string(key), "value": .string(event.metadata[key] ?? "")]
        }
        return [
            "@type": "MessageCard",
            "@context": "http://schema.org/extensions",
            "themeColor": .string(event.isError ? "FF0000" : "0076D7"),
            "summary": .string(objectName),
            "sections": [
                [
                    "activityTitle": .string(event.message),
                    "activitySubtitle": .string(objectName),
                    "facts": .array(facts),
                ]
            ],
        ]
    }

    func adaptiveCard(_ event: Event) -> JSONValue {
        var message = JSONObject()
        message.append("type", "TextBlock")
        message.append("text", .string(event.message))
        message.append("wrap", true)
        if event.isError { message.append("color", "attention") }
        // `summary` first, then the other keys sorted; no `facts` key at all without metadata.
        var keys = event.metadata.keys.sorted()
        if let index = keys.firstIndex(of: "summary") { keys.insert(keys.remove(at: index), at: 0) }
        var factSet = JSONObject()
        factSet.append("type", "FactSet")
        if !keys.isEmpty {
            factSet.append(
                "facts", .array(keys.map { ["title": .string($0), "value": .string(event.metadata[$0] ?? "")] }))
        }
        let items: [JSONValue] = [
            [
                "type": "TextBlock", "text": .string(EventText.objectName(event)), "size": "large", "weight": "bolder",
                "wrap": true,
            ],
            .object(message),
            .object(factSet),
        ]
        return [
            "type": "message",
            "attachments": [
                [
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "content": [
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": [["type": "Container", "items": .array(items)]],
                        "msteams": ["width": "Full"],
                    ],
                ]
            ],
        ]
    }
}
