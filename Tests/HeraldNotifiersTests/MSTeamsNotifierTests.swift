import HeraldCore
import HeraldJSON
import HeraldNotifiers
import Testing

@Suite("Microsoft Teams (reference §4.6)")
struct MSTeamsNotifierTests {
    typealias F = NotifierFixture
    static let objName = "gitrepository/webapp.gitops-system"
    static let workflowURL =
        "https://prod-00.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=x"

    /// The §4.6 Adaptive Card, with the message block and facts as parameters.
    static func adaptiveCard(message: JSONValue, factSet: JSONValue) -> JSONValue {
        [
            "type": "message",
            "attachments": [
                [
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "content": [
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": [
                            [
                                "type": "Container",
                                "items": [
                                    ["type": "TextBlock", "text": .string(objName), "size": "large", "weight": "bolder", "wrap": true],
                                    message,
                                    factSet,
                                ],
                            ]
                        ],
                        "msteams": ["width": "Full"],
                    ],
                ]
            ],
        ]
    }

    struct HostCase: Sendable, CustomTestStringConvertible {
        let address: String
        let messageCard: Bool
        var testDescription: String { "\(address) → \(messageCard ? "MessageCard" : "Adaptive Card")" }
    }

    static let hosts: [HostCase] = [
        HostCase(address: "https://xyz.webhook.office.com/webhookb2/abc", messageCard: true),
        HostCase(address: "https://xyz.webhook.office.com:443/webhookb2/abc", messageCard: true),
        HostCase(address: workflowURL, messageCard: false),
        HostCase(address: "https://webhook.office.com/webhookb2/abc", messageCard: false),
        HostCase(address: "https://xyz.webhook.office.com.example.net/abc", messageCard: false),
        HostCase(address: "https://example.com/xyz.webhook.office.com", messageCard: false),
    ]

    @Test("§4.6 schema choice: host (port stripped) ending with .webhook.office.com → MessageCard, else Adaptive Card", arguments: hosts)
    func hostDetection(_ example: HostCase) throws {
        let request = try F.request(F.provider(.msteams, address: example.address))
        #expect(request.url == example.address)
        let body = try F.body(request)
        #expect(body["@type"] == (example.messageCard ? "MessageCard" : nil))
        #expect(body["type"] == (example.messageCard ? nil : "message"))
    }

    @Test("§4.6 MessageCard: themeColor 0076D7 for info, summary and subtitle objName, facts from metadata")
    func messageCardInfo() throws {
        let request = try F.request(F.provider(.msteams, address: "https://xyz.webhook.office.com/webhookb2/abc"))
        #expect(request.method == "POST")
        F.expectHeaders(request, [F.jsonHeader])
        #expect(
            try F.body(request) == [
                "@type": "MessageCard", "@context": "http://schema.org/extensions", "themeColor": "0076D7",
                "summary": .string(Self.objName),
                "sections": [
                    [
                        "activityTitle": "message", "activitySubtitle": .string(Self.objName),
                        "facts": [["name": "test", "value": "metadata"]],
                    ]
                ],
            ])
    }

    @Test("§4.6 MessageCard: themeColor FF0000 for errors")
    func messageCardError() throws {
        let body = try F.body(
            try F.request(F.provider(.msteams, address: "https://xyz.webhook.office.com/webhookb2/abc"), event: F.event(severity: "error")))
        #expect(body["themeColor"] == "FF0000")
    }

    @Test("§4.6 Adaptive Card: exactly the reference structure for the shared fixture")
    func adaptiveCardInfo() throws {
        let request = try F.request(F.provider(.msteams, address: Self.workflowURL))
        #expect(request.method == "POST")
        #expect(request.url == Self.workflowURL)
        F.expectHeaders(request, [F.jsonHeader])
        let expected = Self.adaptiveCard(
            message: ["type": "TextBlock", "text": "message", "wrap": true],
            factSet: ["type": "FactSet", "facts": [["title": "test", "value": "metadata"]]])
        #expect(try F.body(request) == expected)
    }

    @Test("§4.6 Adaptive Card: the message block gets color attention for errors")
    func adaptiveCardError() throws {
        let request = try F.request(F.provider(.msteams, address: Self.workflowURL), event: F.event(severity: "error"))
        let expected = Self.adaptiveCard(
            message: ["type": "TextBlock", "text": "message", "wrap": true, "color": "attention"],
            factSet: ["type": "FactSet", "facts": [["title": "test", "value": "metadata"]]])
        #expect(try F.body(request) == expected)
    }

    @Test("§4.6 Adaptive Card: summary first in facts, then the other keys sorted")
    func adaptiveCardFactOrder() throws {
        let event = F.event(metadata: ["zeta": "z", "summary": "Cluster addons", "alpha": "a", "revision": "main@sha1:abc"])
        let body = try F.body(try F.request(F.provider(.msteams, address: Self.workflowURL), event: event))
        let items = try #require(body["attachments"]?.arrayValue?.first?["content"]?["body"]?.arrayValue?.first?["items"]?.arrayValue)
        #expect(
            items.last?["facts"] == [
                ["title": "summary", "value": "Cluster addons"], ["title": "alpha", "value": "a"],
                ["title": "revision", "value": "main@sha1:abc"], ["title": "zeta", "value": "z"],
            ])
    }

    @Test("§4.6 Adaptive Card: without metadata the FactSet has no facts key")
    func adaptiveCardNoFacts() throws {
        let request = try F.request(F.provider(.msteams, address: Self.workflowURL), event: F.event(metadata: [:]))
        let expected = Self.adaptiveCard(message: ["type": "TextBlock", "text": "message", "wrap": true], factSet: ["type": "FactSet"])
        #expect(try F.body(request) == expected)
    }
}
