import HeraldCore
import HeraldJSON

/// Sends Flux events to a Google Chat incoming webhook as a card (reference §4.10).
struct GoogleChatNotifier: ProviderNotifier {
    let url: String

    init(settings: ProviderSettings) throws(ProviderError) {
        url = try settings.webhookAddress().text
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        let text = event.isError ? "<font color=\"#ff0000\">\(event.message)</font>" : event.message
        var sections: [JSONValue] = [
            ["header": "", "widgets": [["textParagraph": ["text": .string(text)], "keyValue": nil]]]
        ]
        if !event.metadata.isEmpty {
            let widgets: [JSONValue] = event.sortedMetadata.map { entry in
                [
                    "textParagraph": nil,
                    "keyValue": [
                        "topLabel": .string(entry.key), "content": .string(entry.value), "contentMultiline": false,
                        "bottomLabel": nil, "icon": nil,
                    ],
                ]
            }
            sections.append(["header": "", "widgets": .array(widgets)])
        }
        let card: JSONValue = [
            "header": [
                "title": .string(EventText.objectName(event)), "subtitle": .string(event.reportingController), "imageUrl": nil,
                "imageStyle": nil,
            ],
            "sections": .array(sections),
        ]
        return .send(JSONPost.request(url, ["cards": [card]]))
    }
}
