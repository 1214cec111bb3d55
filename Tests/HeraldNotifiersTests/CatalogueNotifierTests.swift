import HeraldCore
import HeraldJSON
import Testing

@testable import HeraldNotifiers

/// The three events the catalogue vectors were encoded from.
enum CatalogueFixture {
    static let uid = "2f5c9d21-b62c-4a35-9b17-1b0f4c8e2d3a"

    static func event(severity: String, message: String, reason: String, metadata: [String: String]) -> Event {
        Event(
            involvedObject: ObjectReference(kind: "GitRepository", namespace: "gitops-system", name: "webapp", uid: uid),
            severity: severity, timestamp: FluxTimestamp(rfc3339: "2026-08-01T10:00:00Z"), message: message, reason: reason,
            metadata: metadata, reportingController: "source-controller", reportingInstance: "source-controller-xyz")
    }

    static let info = event(severity: "info", message: "message", reason: "reason", metadata: ["test": "metadata"])
    static let error = event(
        severity: "error", message: "a <b> & c", reason: "ReconciliationFailed",
        metadata: ["revision": "main@sha1:abc", "test": "metadata"])
    static let noMetadata = event(severity: "info", message: "message", reason: "ReconciliationSucceeded", metadata: [:])
}

@Suite("Chat, incident and observability providers: byte-exact requests (reference §4.9–§4.27)")
struct CatalogueNotifierTests {
    typealias F = NotifierFixture
    typealias C = CatalogueFixture
    static let token = F.token
    static let tokenSecret = ["token": ["token": token]]

    func requests(
        _ type: ProviderType, address: String = "", channel: String = "", uid: String = NotifierFixture.providerUID,
        secret: [String: String]? = ["token": F.token], event: Event
    ) throws -> [OutgoingRequest] {
        var provider = F.provider(type, address: address, channel: channel, secretRef: secret == nil ? nil : "token")
        provider.meta.uid = uid
        return try F.requests(provider, secrets: secret.map { ["token": $0] } ?? [:], event: event)
    }

    func expectBody(_ request: OutgoingRequest?, _ label: String, newline: Bool = false, sourceLocation: SourceLocation = #_sourceLocation)
    {
        let expected = CatalogueVectors.body(label) + (newline ? "\n" : "")
        #expect(request.map { String(decoding: $0.body, as: UTF8.self) } == expected, sourceLocation: sourceLocation)
    }

    @Test("§4.10 googlechat: card with header, message section and a metadata section only when there is metadata")
    func googleChat() throws {
        let address = "https://chat.googleapis.com/v1/spaces/X/messages?key=k&token=t"
        for (event, label) in [(C.info, "gchat info"), (C.error, "gchat err"), (C.noMetadata, "gchat nomd")] {
            let request = try #require(try requests(.googleChat, address: address, secret: nil, event: event).first)
            #expect(request.url == address)
            F.expectHeaders(request, [F.jsonHeader])
            expectBody(request, label)
        }
    }

    @Test("§4.12 webex: Bearer token, roomId omitted when empty, ✅/💣 markdown with > metadata lines")
    func webex() throws {
        let info = try #require(try requests(.webex, address: "https://webexapis.com/v1/messages", channel: "room", event: C.info).first)
        F.expectHeaders(info, [F.jsonHeader, HTTPHeaderField("Authorization", "Bearer \(Self.token)", isSecret: true)])
        expectBody(info, "webex info")
        expectBody(try requests(.webex, address: "https://webexapis.com/v1/messages", event: C.error).first, "webex err")
        let anonymous = try #require(try requests(.webex, address: "https://webexapis.com/v1/messages", secret: nil, event: C.info).first)
        #expect(anonymous.header("Authorization") == "Bearer")
    }

    @Test("§4.15 telegram: the Bot API URL carries the token, chat:thread splits, MarkdownV2 escaping")
    func telegram() throws {
        let info = try #require(try requests(.telegram, address: "ignored", channel: "channel", event: C.info).first)
        #expect(info.url == "https://api.telegram.org/bot\(Self.token)/sendMessage")
        F.expectHeaders(info, [F.jsonHeader])
        expectBody(info, "tg info")
        expectBody(try requests(.telegram, channel: "-100123:42", event: C.error).first, "tg err thread")
        let kubernetesKey = try #require(
            try requests(
                .telegram, channel: "c",
                event: C.event(severity: "info", message: "m", reason: "r", metadata: ["kubernetes.io/somekey": "some.value"])
            ).first)
        #expect(String(decoding: kubernetesKey.body, as: UTF8.self).contains(#"\\- *kubernetes\\.io/somekey*: some\\.value\n"#))
    }

    @Test("§4.15 telegram: channel is checked before the token, with Flux's messages")
    func telegramErrors() {
        #expect(throws: ProviderError.invalidChannel("empty Telegram channel")) {
            try F.client(F.provider(.telegram, secretRef: "token"), secrets: Self.tokenSecret)
        }
        #expect(throws: ProviderError.missingToken("empty Telegram token")) { try F.client(F.provider(.telegram, channel: "c")) }
    }

    @Test("§4.16 lark: interactive card, turquoise/red template")
    func lark() throws {
        let request = try #require(
            try requests(.lark, address: "https://open.feishu.cn/open-apis/bot/v2/hook/x", secret: nil, event: C.info).first)
        F.expectHeaders(request, [F.jsonHeader])
        expectBody(request, "lark info")
        expectBody(
            try requests(.lark, address: "https://open.feishu.cn/open-apis/bot/v2/hook/x", secret: nil, event: C.error).first, "lark err")
    }

    @Test("§4.17 matrix: PUT with the SHA-1 of the event JSON as transaction id")
    func matrix() throws {
        let info = try #require(try requests(.matrix, address: "https://matrix.example", channel: "!room:example", event: C.info).first)
        #expect(info.method == "PUT")
        #expect(
            info.url
                == "https://matrix.example/_matrix/client/r0/rooms/!room:example/send/m.room.message/ded44fa483f1bfe797835d8d514dbc8dd8b1f9b2"
        )
        F.expectHeaders(info, [F.jsonHeader, HTTPHeaderField("Authorization", "Bearer \(Self.token)", isSecret: true)])
        expectBody(info, "matrix info")
        let error = try #require(try requests(.matrix, address: "https://matrix.example", channel: "r", event: C.error).first)
        #expect(error.url.hasSuffix("/efee9c9fbbca3c0f5d3087d292fcf782693ddb11"))
        expectBody(error, "matrix err")
    }

    @Test("§4.17 matrix: the reference's transaction id test vector")
    func matrixTransactionVector() {
        let event = Event(
            involvedObject: ObjectReference(kind: "", namespace: "", name: ""), severity: "info",
            timestamp: FluxTimestamp(rfc3339: "2021-08-24T16:18:00Z"), message: "update successful", reason: "update sucesful",
            metadata: [:], reportingController: "")
        #expect(String(decoding: event.jsonBytes, as: UTF8.self).hasPrefix(#"{"involvedObject":{},"severity""#))
        #expect(MatrixNotifier.transactionID(for: event) == "37d91b4f6a1e44c6a38273b0a0fd408fade7b0f5")
    }

    @Test("§4.18 opsgenie: GenieKey, alias from the Provider UID, details with severity")
    func opsgenie() throws {
        let info = try #require(
            try requests(.opsgenie, address: "https://api.opsgenie.com/v2/alerts", uid: "test-provider-uid-123", event: C.info).first)
        F.expectHeaders(info, [F.jsonHeader, HTTPHeaderField("Authorization", "GenieKey \(Self.token)", isSecret: true)])
        expectBody(info, "ops info uid=test-provider-uid-123")
        expectBody(try requests(.opsgenie, address: "https://api.opsgenie.com/v2/alerts", uid: "", event: C.error).first, "ops err uid=''")
        expectBody(try requests(.opsgenie, address: "https://api.opsgenie.com/v2/alerts", uid: "u", event: C.noMetadata).first, "ops nomd")
        #expect(throws: ProviderError.missingToken("empty Opsgenie apikey/token")) {
            try F.client(F.provider(.opsgenie, address: "https://api.opsgenie.com/v2/alerts"))
        }
    }

    @Test("§4.19 alertmanager: one firing alert, labels and annotations, Go's title case in alertname")
    func alertmanager() throws {
        let info = try #require(try requests(.alertmanager, address: "https://am/api/v2/alerts/", event: C.info).first)
        F.expectHeaders(info, [F.jsonHeader, HTTPHeaderField("Authorization", "Bearer \(Self.token)", isSecret: true)])
        expectBody(info, "am info")
        expectBody(try requests(.alertmanager, address: "https://am/api/v2/alerts/", event: C.error).first, "am err")
        let cases = [
            ("ReconciliationSucceeded", "Reconciliationsucceeded"), ("update sucesful", "Update Sucesful"),
            ("artifact-up-to-date", "Artifact-Up-To-Date"), ("v1.2.3_x", "V1.2.3_x"), ("Progressing", "Progressing"),
        ]
        for (reason, title) in cases { #expect(AlertmanagerNotifier.titleCase(reason) == title) }
    }

    @Test("§4.19 alertmanager: with a token and username+password only Basic is sent")
    func alertmanagerBasicWins() throws {
        let secret = ["token": Self.token, "username": "user", "password": "pass"]
        let request = try #require(try requests(.alertmanager, address: "https://am/api/v2/alerts/", secret: secret, event: C.info).first)
        #expect(request.header("Authorization") == "Basic dXNlcjpwYXNz")
    }

    @Test("§4.20 grafana: annotation with unix time, tags in Flux's order, ':' replaced by '|' in metadata")
    func grafana() throws {
        let info = try #require(
            try requests(.grafana, address: "https://grafana/api/annotations/graphite", secret: nil, event: C.info).first)
        F.expectHeaders(info, [F.jsonHeader])
        expectBody(info, "grafana info")
        let error = try #require(
            try requests(
                .grafana, address: "https://grafana/api/annotations/graphite", secret: ["username": "u", "password": "p"], event: C.error
            )
            .first)
        #expect(error.header("Authorization") == "Basic dTpw")
        expectBody(error, "grafana err")
    }

    @Test("§4.21 pagerduty: resolve + change event for info, trigger for errors, host only, Progressing skipped")
    func pagerDuty() throws {
        let info = try requests(
            .pagerDuty, address: "https://events.pagerduty.com/ignored/path", channel: "notARealRoutingKey", secret: nil, event: C.info)
        #expect(info.map(\.url) == ["https://events.pagerduty.com/v2/enqueue", "https://events.pagerduty.com/v2/change/enqueue"])
        expectBody(info.first, "pd info enqueue")
        expectBody(info.last, "pd info change")
        let error = try requests(
            .pagerDuty, address: "https://events.eu.pagerduty.com", channel: "notARealRoutingKey", secret: nil, event: C.error)
        #expect(error.map(\.url) == ["https://events.eu.pagerduty.com/v2/enqueue"])
        expectBody(error.first, "pd err enqueue")
        let plain = try requests(.pagerDuty, address: "https://events.pagerduty.com", channel: "rk", secret: nil, event: C.noMetadata)
        expectBody(plain.first, "pd nomd enqueue")
        expectBody(plain.last, "pd nomd change")
        var progressing = C.info
        progressing.reason = "Progressing"
        let plan = try F.client(F.provider(.pagerDuty, address: "https://events.pagerduty.com")).notifier.plan(for: progressing)
        guard case .skip = plan else { Issue.record("Progressing must be skipped, got \(plan.requests)"); return }
    }

    @Test("§4.22 datadog: DD-API-KEY, the address's host, sorted keys, lower-cased tags, trailing newline")
    func datadog() throws {
        let info = try #require(try requests(.datadog, address: "https://api.datadoghq.eu/some/path", event: C.info).first)
        #expect(info.url == "https://api.datadoghq.eu/api/v1/events")
        F.expectHeaders(
            info, [F.jsonHeader, HTTPHeaderField("Accept", "application/json"), HTTPHeaderField("DD-API-KEY", Self.token, isSecret: true)])
        expectBody(info, "dd info", newline: true)
        expectBody(try requests(.datadog, address: "https://api.datadoghq.com", event: C.error).first, "dd err", newline: true)
        #expect(try requests(.datadog, address: "", event: C.info).first?.url == "https://api.datadoghq.com/api/v1/events")
        #expect(throws: ProviderError.missingToken("token cannot be empty")) {
            try F.client(F.provider(.datadog, address: "https://api.datadoghq.com"))
        }
    }

    @Test("§4.24 zulip: form body with sorted keys, path replaced, Basic credentials, stream/topic channel")
    func zulip() throws {
        let secret = ["username": "bot@zulip.example", "password": "api-key"]
        let request = try #require(
            try requests(
                .zulip, address: "https://zulip.example/some/path?x=1", channel: "general/announcements", secret: secret, event: C.info
            ).first)
        #expect(request.url == "https://zulip.example/api/v1/messages?x=1")
        F.expectHeaders(
            request,
            [
                HTTPHeaderField("Content-Type", "application/x-www-form-urlencoded"),
                HTTPHeaderField("Authorization", "Basic " + Base64.encode(Array("bot@zulip.example:api-key".utf8)), isSecret: true),
            ])
        expectBody(request, "zulip info")
        expectBody(
            try requests(.zulip, address: "https://zulip.example", channel: "general/announcements", secret: secret, event: C.error).first,
            "zulip err")
        #expect(throws: ProviderError.invalidChannel("invalid Zulip channel format, expected <channel>/<topic>, got 'invalid_format'")) {
            try F.client(F.provider(.zulip, address: "https://zulip.example", channel: "invalid_format"))
        }
    }

    @Test("§4.0 markdown post: the reference's Zulip test string")
    func markdownPost() {
        let event = Event(
            involvedObject: ObjectReference(kind: "Kustomization", namespace: "default", name: "test-ks"), severity: "info",
            timestamp: nil, message: "Test event message", reason: "r",
            metadata: ["key1": "value1", "key2": "value2", "change_request": "1"],
            reportingController: "")
        #expect(
            MarkdownPost.text(for: event)
                == "## Flux Status\n\nℹ️ Kustomization/default/test-ks\n\nTest event message\n\nMetadata:\n* `key1`: value1\n* `key2`: value2\n"
        )
    }

    @Test("§4.26 zoom: raw Authorization, format=full added (sorted query) unless a format is set")
    func zoom() throws {
        let info = try #require(try requests(.zoom, address: "https://zoom.us/hook?b=2&a=1", event: C.info).first)
        #expect(info.url == "https://zoom.us/hook?a=1&b=2&format=full")
        F.expectHeaders(info, [F.jsonHeader, HTTPHeaderField("Authorization", Self.token, isSecret: true)])
        expectBody(info, "zoom info")
        expectBody(try requests(.zoom, address: "https://zoom.us/hook", event: C.error).first, "zoom err")
        expectBody(try requests(.zoom, address: "https://zoom.us/hook", event: C.noMetadata).first, "zoom nomd")
        #expect(
            try requests(.zoom, address: "https://zoom.us/hook?format=message", event: C.info).first?.url
                == "https://zoom.us/hook?format=message")
        #expect(
            try requests(.zoom, address: "https://zoom.us/hook?format=", event: C.info).first?.url == "https://zoom.us/hook?format=full")
        #expect(throws: ProviderError.missingToken("empty Zoom verification token")) {
            try F.client(F.provider(.zoom, address: "https://zoom.us/hook"))
        }
    }

    @Test("§4.27 incident.io: firing for errors, resolved otherwise, Progressing skipped")
    func incidentIO() throws {
        let address = "https://api.incident.io/v2/alert_events/http/01H"
        let info = try #require(try requests(.incidentIO, address: address, event: C.info).first)
        F.expectHeaders(info, [F.jsonHeader, HTTPHeaderField("Authorization", "Bearer \(Self.token)", isSecret: true)])
        expectBody(info, "inc info")
        expectBody(try requests(.incidentIO, address: address, event: C.error).first, "inc err")
        #expect(throws: ProviderError.missingToken("empty incident.io API token")) {
            try F.client(F.provider(.incidentIO, address: address))
        }
    }

    @Test("§4.9 githubdispatch: repository_dispatch with the event as client_payload, go-github encoding")
    func githubDispatch() throws {
        let info = try #require(try requests(.githubDispatch, address: "https://github.com/org/repo", event: C.info).first)
        #expect(info.url == "https://api.github.com/repos/org/repo/dispatches")
        F.expectHeaders(
            info,
            [
                F.jsonHeader, HTTPHeaderField("Accept", "application/vnd.github.v3+json"),
                HTTPHeaderField("X-GitHub-Api-Version", "2022-11-28"),
                HTTPHeaderField("Authorization", "Bearer \(Self.token)", isSecret: true),
            ])
        expectBody(info, "gh info", newline: true)
        let enterprise = try #require(try requests(.githubDispatch, address: "https://ghe.example/org/repo", event: C.error).first)
        #expect(enterprise.url == "https://ghe.example/api/v3/repos/org/repo/dispatches")
        expectBody(enterprise, "gh err", newline: true)
    }
}
