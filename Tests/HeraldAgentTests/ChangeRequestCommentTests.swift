import HeraldAgent
import HeraldCore
import HeraldJSON
import HeraldNotifiers
import HeraldTestSupport
import Testing

/// The comment upsert of reference §4.8, played against in-process GitHub, GitLab and Gitea APIs.
@Suite("Change-request comments: identity, list, then edit or create")
struct ChangeRequestCommentTests {
    static let uid = "0c9c2e41-aaaa-bbbb-cccc-000000000000"
    static let marker = "<!-- flux-pr-comment-key:\(uid)/Kustomization/gitops-system/podinfo -->"
    static let mrMarker = "<!-- flux-mr-comment-key:\(uid)/Kustomization/gitops-system/podinfo -->"

    static let event = Event(
        involvedObject: ObjectReference(kind: "Kustomization", namespace: "gitops-system", name: "podinfo"), severity: "info",
        timestamp: FluxTimestamp(secondsSinceEpoch: 1_700_000_000), message: "Applied <revision>", reason: "ReconciliationSucceeded",
        metadata: ["change_request": "42", "revision": "main@sha1:abc"], reportingController: "kustomize-controller")

    static let post =
        "## Flux Status\n\nℹ️ Kustomization/gitops-system/podinfo\n\nApplied <revision>\n\nMetadata:\n* `revision`: main@sha1:abc\n"

    struct Flavour: Sendable, CustomTestStringConvertible {
        var type: ProviderType
        var path: String
        var preflight: (path: String, body: String)?
        var userPath: String
        var user: String
        var listPath: String
        var author: (object: String, key: String)
        var marker: String
        var editMethod: String
        var editPath: String
        var createPath: String
        /// The exact body, as the provider's Go client encodes it.
        var body: String
        var testDescription: String { type.rawValue }
    }

    static let flavours: [Flavour] = [
        Flavour(
            type: .githubPullRequestComment, path: "/org/repo", userPath: "/api/v3/user", user: #"{"login":"flux-bot"}"#,
            listPath: "/api/v3/repos/org/repo/issues/42/comments?direction=asc&per_page=100&sort=created", author: ("user", "login"),
            marker: marker, editMethod: "PATCH", editPath: "/api/v3/repos/org/repo/issues/comments/7",
            createPath: "/api/v3/repos/org/repo/issues/42/comments",
            body: JSONWriter.string(["body": .string("\(marker)\n\n\(post)")], escapeHTML: false) + "\n"),
        Flavour(
            type: .gitlabMergeRequestComment, path: "/group/project", userPath: "/api/v4/user", user: #"{"username":"flux-bot"}"#,
            listPath: "/api/v4/projects/group%2Fproject/merge_requests/42/notes?order_by=created_at&per_page=100&sort=asc",
            author: ("author", "username"), marker: mrMarker, editMethod: "PUT",
            editPath: "/api/v4/projects/group%2Fproject/merge_requests/42/notes/7",
            createPath: "/api/v4/projects/group%2Fproject/merge_requests/42/notes",
            body: JSONWriter.string(["body": .string("\(mrMarker)\n\n\(post)")])),
        Flavour(
            type: .giteaPullRequestComment, path: "/org/repo", preflight: ("/api/v1/version", #"{"version":"1.21.0"}"#),
            userPath: "/api/v1/user", user: #"{"id":1,"login":"flux-bot"}"#,
            listPath: "/api/v1/repos/org/repo/issues/42/comments?limit=100&page=1", author: ("user", "login"), marker: marker,
            editMethod: "PATCH", editPath: "/api/v1/repos/org/repo/issues/comments/7",
            createPath: "/api/v1/repos/org/repo/issues/42/comments",
            body: JSONWriter.string(["body": .string("\(marker)\n\n\(post)")])),
    ]

    func comment(id: Int, author: String, body: String, flavour: Flavour) -> JSONValue {
        [
            "id": .integer(id), .init(stringLiteral: flavour.author.object): [.init(stringLiteral: flavour.author.key): .string(author)],
            "body": .string(body),
        ]
    }

    func deliver(_ flavour: Flavour, comments: [JSONValue]) async throws -> (DeliveryOutcome, [RecordedRequest]) {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        if let preflight = flavour.preflight {
            recorder.respond(path: preflight.path, method: "GET", with: [ScriptedResponse(status: 200, body: preflight.body)])
        }
        recorder.respond(path: flavour.userPath, method: "GET", with: [ScriptedResponse(status: 200, body: flavour.user)])
        recorder.respond(
            path: String(flavour.listPath.prefix { $0 != "?" }), method: "GET",
            with: [ScriptedResponse(status: 200, body: JSONWriter.string(.array(comments)))])
        let provider = AgentFixtures.provider(type: flavour.type, address: recorder.baseURL + flavour.path, secretRef: "s", uid: Self.uid)
        let client = try AgentFixtures.client(provider, secrets: ["s": AgentFixtures.secret("s", ["token": "comment-token-value"])])
        let transport = HTTPTransport()
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(
            try AgentFixtures.job(client, event: Self.event))
        await transport.shutdown()
        return (outcome, await recorder.requests())
    }

    @Test("no comment of ours yet: identity, list, then a new comment with marker and Markdown", arguments: flavours)
    func create(_ flavour: Flavour) async throws {
        let foreign = comment(id: 3, author: "someone-else", body: flavour.marker, flavour: flavour)
        let (outcome, requests) = try await deliver(flavour, comments: [foreign])
        #expect(outcome == .delivered(status: 200, attempts: requests.count), "\(outcome)")
        let expected =
            (flavour.preflight.map { ["GET \($0.path)"] } ?? []) + [
                "GET \(flavour.userPath)", "GET \(flavour.listPath)", "POST \(flavour.createPath)",
            ]
        #expect(requests.map { "\($0.method) \($0.uri)" } == expected)
        #expect(requests.last?.bodyString == flavour.body)
    }

    @Test("our comment with the marker exists: it is edited, not duplicated", arguments: flavours)
    func edit(_ flavour: Flavour) async throws {
        let comments = [
            comment(id: 5, author: "flux-bot", body: "an unrelated comment", flavour: flavour),
            comment(id: 7, author: "flux-bot", body: "\(flavour.marker)\n\nold status", flavour: flavour),
            comment(id: 9, author: "flux-bot", body: "\(flavour.marker)\n\na later copy", flavour: flavour),
        ]
        let (outcome, requests) = try await deliver(flavour, comments: comments)
        #expect(outcome == .delivered(status: 200, attempts: requests.count), "\(outcome)")
        #expect(requests.last.map { "\($0.method) \($0.uri)" } == "\(flavour.editMethod) \(flavour.editPath)")
        #expect(requests.last?.bodyString == flavour.body)
        #expect(requests.last?.header("Content-Type") == "application/json")
    }

    @Test("change_request must be a number, with Flux's parse error per provider")
    func changeRequestNumber() throws {
        var event = Self.event
        event.metadata["change_request"] = "abc"
        for (type, parser) in [(ProviderType.githubPullRequestComment, "strconv.Atoi"), (.gitlabMergeRequestComment, "strconv.ParseInt")] {
            let client = try AgentFixtures.client(
                AgentFixtures.provider(type: type, address: "https://example.com/org/repo", secretRef: "s"),
                secrets: ["s": AgentFixtures.secret("s", ["token": "t0ken"])])
            let error = #expect(throws: ProviderError.self) { try client.notifier.plan(for: event) }
            #expect(error?.description == "invalid \"change_request\" metadata value \"abc\": \(parser): parsing \"abc\": invalid syntax")
        }
    }

    @Test("a failed list names the step, and the token does not appear")
    func listFailure() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(path: "/api/v4/user", method: "GET", with: [ScriptedResponse(status: 200, body: #"{"username":"flux-bot"}"#)])
        recorder.respond(with: [ScriptedResponse(status: 403, body: "token comment-token-value may not read notes")])
        let provider = AgentFixtures.provider(
            type: .gitlabMergeRequestComment, address: recorder.baseURL + "/group/project", secretRef: "s")
        let client = try AgentFixtures.client(provider, secrets: ["s": AgentFixtures.secret("s", ["token": "comment-token-value"])])
        let transport = HTTPTransport()
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(
            try AgentFixtures.job(client, event: Self.event))
        await transport.shutdown()
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(failure.description.hasPrefix("failed to list merge request notes: request failed with status code 403"))
        #expect(!failure.description.contains("comment-token-value"))
    }
}
