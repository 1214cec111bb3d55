import HeraldCore
import HeraldJSON
import HeraldNotifiers
import Testing

@Suite("Slack, Discord and Rocket.Chat (reference §4.3–§4.5)")
struct ChatNotifierTests {
    typealias F = NotifierFixture
    static let objName = "gitrepository/webapp.gitops-system"

    static func slackPayload(channel: String, username: String, fallback: String, color: String, fields: [JSONValue]) -> JSONValue {
        [
            "channel": .string(channel), "username": .string(username), "icon_url": "", "icon_emoji": "",
            "attachments": [
                [
                    "fallback": .string(fallback), "color": .string(color), "author_name": .string(objName), "text": "message",
                    "mrkdwn_in": ["text"], "fields": .array(fields),
                ]
            ],
        ]
    }

    static let fixtureFields: [JSONValue] = [["title": "test", "value": "metadata", "short": false]]

    // MARK: Slack

    @Test("§4.3 Slack: webhook payload with fallback, good colour, fields and username default reportingController")
    func slackWebhook() throws {
        let request = try F.request(F.provider(.slack, address: "https://hooks.slack.com/services/T0/B0/XYZ", channel: "general"))
        #expect(request.method == "POST")
        #expect(request.url == "https://hooks.slack.com/services/T0/B0/XYZ")
        F.expectHeaders(request, [F.jsonHeader])
        #expect(request.responseCheck == .status)
        #expect(
            try F.body(request)
                == Self.slackPayload(
                    channel: "general", username: "source-controller", fallback: "\(Self.objName): message", color: "good",
                    fields: Self.fixtureFields))
    }

    @Test("§4.3 Slack: error events are danger; fallback uses the first line of the message; no metadata gives fields []")
    func slackErrorAndFallback() throws {
        let event = F.event(severity: "error", message: "apply failed\ndetails on line two", metadata: [:])
        let body = try F.body(try F.request(F.provider(.slack, address: "https://hooks.slack.com/services/T0/B0/XYZ"), event: event))
        let attachment = try #require(body["attachments"]?.arrayValue?.first)
        #expect(attachment["color"] == "danger")
        #expect(attachment["fallback"] == .string("\(Self.objName): apply failed"))
        #expect(attachment["text"] == "apply failed\ndetails on line two")
        #expect(attachment["fields"] == [])
        #expect(body["text"] == nil)
        #expect(body["channel"] == "")
    }

    @Test("§4.3 Slack: spec.username replaces the reportingController default; a Secret username overrides it")
    func slackUsername() throws {
        let spec = try F.body(try F.request(F.provider(.slack, address: "https://hooks.slack.com/x", username: "flux-bot")))
        #expect(spec["username"] == "flux-bot")
        let secret = try F.body(
            try F.request(
                F.provider(.slack, address: "https://hooks.slack.com/x", username: "flux-bot", secretRef: "creds"),
                secrets: ["creds": ["username": "secret-bot", "password": "pw"]]))
        #expect(secret["username"] == "secret-bot")
    }

    @Test("§4.3 Slack: chat.postMessage with a token: Bearer header (secret) and the Slack API response check")
    func slackPostMessage() throws {
        let provider = F.provider(.slack, address: "https://slack.com/api/chat.postMessage", channel: "C0123", secretRef: "bot")
        let request = try F.request(provider, secrets: ["bot": ["token": "xoxb-123"]])
        #expect(request.url == "https://slack.com/api/chat.postMessage")
        F.expectHeaders(request, [F.jsonHeader, HTTPHeaderField("Authorization", "Bearer xoxb-123", isSecret: true)])
        #expect(request.responseCheck == .slackAPI)
        #expect(try F.body(request)["channel"] == "C0123")
    }

    @Test("§4.3 Slack: only the exact chat.postMessage address gets the response check")
    func slackResponseCheckOnlyForPostMessage() throws {
        for address in [
            "https://slack.com/api/chat.postMessage?x=1", "https://hooks.slack.com/api/chat.postMessage",
            "https://slack.com/api/chat.update",
        ] {
            #expect(try F.request(F.provider(.slack, address: address)).responseCheck == .status, "\(address)")
        }
    }

    @Test("§4.3 Slack API responses: ok true succeeds, ok false is \"Slack responded with error: <error>\"")
    func slackResponseCheck() {
        #expect(ResponseCheck.slackAPI.failure(status: 200, body: Array(#"{"ok":true,"channel":"C1"}"#.utf8)) == nil)
        #expect(
            ResponseCheck.slackAPI.failure(status: 200, body: Array(#"{"ok":false,"error":"channel_not_found"}"#.utf8))
                == "Slack responded with error: channel_not_found")
        #expect(
            ResponseCheck.slackAPI.failure(status: 200, body: Array(#"{"error":"invalid_auth"}"#.utf8))
                == "Slack responded with error: invalid_auth")
        #expect(ResponseCheck.slackAPI.failure(status: 200, body: Array("ok".utf8)) != nil)
        #expect(ResponseCheck.status.failure(status: 200, body: Array(#"{"ok":false}"#.utf8)) == nil)
    }

    @Test("§4.3 Slack: metadata fields, one per key")
    func slackFields() throws {
        let event = F.event(metadata: ["revision": "main@sha1:abc", "summary": "Cluster"])
        let body = try F.body(try F.request(F.provider(.slack, address: "https://hooks.slack.com/x"), event: event))
        let fields = try #require(body["attachments"]?.arrayValue?.first?["fields"]?.arrayValue)
        #expect(
            Set(fields) == [
                ["title": "revision", "value": "main@sha1:abc", "short": false], ["title": "summary", "value": "Cluster", "short": false],
            ])
    }

    @Test("§4.0 Slack: an invalid address is a construction error")
    func slackInvalidAddress() {
        let error = #expect(throws: ProviderError.self) { try F.client(F.provider(.slack, address: "hooks.slack.com/services/x")) }
        #expect(error == .invalidAddress(type: .slack, address: "hooks.slack.com/services/x", fromSecret: false))
    }

    // MARK: Discord

    struct DiscordURLCase: Sendable, CustomTestStringConvertible {
        let name: String
        let address: String
        let url: String
        var testDescription: String { name }
    }

    static let discordURLs: [DiscordURLCase] = [
        DiscordURLCase(
            name: "slack segment appended", address: "https://discord.com/api/webhooks/123/TOKEN",
            url: "https://discord.com/api/webhooks/123/TOKEN/slack"),
        DiscordURLCase(
            name: "trailing slash normalised", address: "https://discord.com/api/webhooks/123/TOKEN/",
            url: "https://discord.com/api/webhooks/123/TOKEN/slack"),
        DiscordURLCase(
            name: "query preserved", address: "https://discord.com/api/webhooks/123/TOKEN?thread_id=9",
            url: "https://discord.com/api/webhooks/123/TOKEN/slack?thread_id=9"),
        DiscordURLCase(
            name: "not doubled when present", address: "https://discord.com/api/webhooks/123/TOKEN/slack",
            url: "https://discord.com/api/webhooks/123/TOKEN/slack"),
        DiscordURLCase(
            name: "not doubled when present, query kept", address: "https://discord.com/api/webhooks/123/TOKEN/slack?wait=true",
            url: "https://discord.com/api/webhooks/123/TOKEN/slack?wait=true"),
    ]

    @Test("§4.4 Discord: the /slack endpoint", arguments: discordURLs)
    func discordURL(_ example: DiscordURLCase) throws {
        #expect(try F.request(F.provider(.discord, address: example.address)).url == example.url)
    }

    @Test("§4.4 Discord: Slack payload, channel always empty, no fallback, username default reportingController")
    func discordPayload() throws {
        let request = try F.request(F.provider(.discord, address: "https://discord.com/api/webhooks/123/TOKEN", channel: "ignored"))
        #expect(request.method == "POST")
        F.expectHeaders(request, [F.jsonHeader])
        #expect(
            try F.body(request)
                == Self.slackPayload(channel: "", username: "source-controller", fallback: "", color: "good", fields: Self.fixtureFields))
        let error = try F.request(
            F.provider(.discord, address: "https://discord.com/api/webhooks/123/TOKEN", username: "bot"), event: F.event(severity: "error"))
        #expect(
            try F.body(error) == Self.slackPayload(channel: "", username: "bot", fallback: "", color: "danger", fields: Self.fixtureFields))
    }

    // MARK: Rocket

    @Test("§4.5 Rocket.Chat: address as-is, channel from spec, colours #0076D7 / #FF0000, no default username")
    func rocket() throws {
        let provider = F.provider(.rocket, address: "https://rocket.example.com/hooks/abc/def", channel: "ops")
        let info = try F.request(provider)
        #expect(info.url == "https://rocket.example.com/hooks/abc/def")
        F.expectHeaders(info, [F.jsonHeader])
        #expect(
            try F.body(info) == Self.slackPayload(channel: "ops", username: "", fallback: "", color: "#0076D7", fields: Self.fixtureFields))
        let error = try F.request(provider, event: F.event(severity: "error"))
        #expect(
            try F.body(error) == Self.slackPayload(channel: "ops", username: "", fallback: "", color: "#FF0000", fields: Self.fixtureFields)
        )
    }

    @Test("§4.5 Rocket.Chat: spec.username is used when set")
    func rocketUsername() throws {
        let body = try F.body(try F.request(F.provider(.rocket, address: "https://rocket.example.com/hooks/x", username: "flux")))
        #expect(body["username"] == "flux")
    }
}
