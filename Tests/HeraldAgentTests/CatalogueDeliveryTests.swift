import Foundation
import HeraldAgent
import HeraldCore
import HeraldJSON
import HeraldNotifiers
import HeraldTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Every HTTP provider type, delivered over a real socket to an in-process server: what arrives is
/// exactly what the notifier rendered, and a refusal that echoes the credential never shows it.
@Suite("Provider catalogue: real delivery over loopback")
struct CatalogueDeliveryTests {
    static let credential = "catalogue-credential-0123456789"

    /// How one type is configured against a server at `base`.
    struct Setup: Sendable, CustomTestStringConvertible {
        var type: ProviderType
        var path: String = "/hook"
        var channel: String = ""
        var secret: [String: String] = [:]
        /// Scripted answers for reads the provider makes before it writes: (path, method, JSON body).
        var answers: [(path: String, method: String, body: String)] = []
        var testDescription: String { type.rawValue }
    }

    static let setups: [Setup] = [
        Setup(type: .generic, secret: ["headers": "X-Credential: \(credential)\n"]),
        Setup(type: .genericHMAC, secret: ["token": credential]),
        Setup(type: .slack, channel: "general", secret: ["token": credential]),
        Setup(type: .discord, path: "/api/webhooks/1/abc"),
        Setup(type: .rocket, channel: "general"),
        Setup(type: .msteams),
        Setup(type: .github, path: "/org/repo", secret: ["token": credential]),
        Setup(type: .gitlab, path: "/group/project", secret: ["token": credential]),
        Setup(
            type: .gitea, path: "/org/repo", secret: ["token": credential],
            answers: [("/api/v1/version", "GET", #"{"version":"1.22.3"}"#)]),
        Setup(
            type: .bitbucketServer, path: "/scm/project/repo.git", secret: ["token": credential],
            answers: [("/rest/api/latest/projects/project/repos/repo/commits/a1afe267b54f38b46b487f6e938a6fd508278c07/builds", "GET", "{}")]
        ),
        Setup(type: .githubDispatch, path: "/org/repo", secret: ["token": credential]),
        Setup(type: .googleChat),
        Setup(type: .webex, channel: "room", secret: ["token": credential]),
        Setup(type: .lark),
        Setup(type: .matrix, path: "", channel: "!room:example", secret: ["token": credential]),
        Setup(type: .opsgenie, secret: ["token": credential]),
        Setup(type: .alertmanager, secret: ["token": credential]),
        Setup(type: .grafana, secret: ["username": "admin", "password": credential]),
        Setup(type: .pagerDuty, path: "", channel: "routing-key"),
        Setup(type: .datadog, path: "", secret: ["token": credential]),
        Setup(type: .zulip, path: "", channel: "ops/flux", secret: ["username": "bot@zulip.example", "password": credential]),
        Setup(type: .zoom, secret: ["token": credential]),
        Setup(type: .incidentIO, secret: ["token": credential]),
    ]

    /// Delivered over loopback elsewhere: comments in ChangeRequestCommentTests, NATS in NATSDeliveryTests,
    /// the cloud providers, Sentry and OpenTelemetry in CloudProviderTests, Bitbucket Cloud and Azure DevOps below.
    static let coveredElsewhere: Set<ProviderType> = [
        .bitbucket, .nats, .sentry, .googlePubSub, .azureEventHub, .azureDevOps, .otel, .githubPullRequestComment,
        .gitlabMergeRequestComment,
        .giteaPullRequestComment,
    ]

    @Test("the catalogue table covers every supported type but Telegram (its Bot API host is fixed) and those covered elsewhere")
    func coverage() {
        #expect(
            Set(Self.setups.map(\.type))
                == Set(NotifierFactory.supportedTypes).subtracting([.telegram]).subtracting(Self.coveredElsewhere))
    }

    func client(_ setup: Setup, base: String) throws -> ProviderClient {
        var provider = AgentFixtures.provider(
            type: setup.type, address: base + setup.path, secretRef: setup.secret.isEmpty ? nil : "credentials")
        provider.channel = setup.channel
        return try AgentFixtures.client(provider, secrets: ["credentials": AgentFixtures.secret("credentials", setup.secret)])
    }

    static let event = AgentFixtures.event(metadata: ["revision": "main@sha1:a1afe267b54f38b46b487f6e938a6fd508278c07"])

    @Test("what arrives is what was rendered: method, path and query, headers, body", arguments: setups)
    func delivery(_ setup: Setup) async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        for answer in setup.answers {
            recorder.respond(path: answer.path, method: answer.method, with: [ScriptedResponse(status: 200, body: answer.body)])
        }
        let client = try client(setup, base: recorder.baseURL)
        let job = try AgentFixtures.job(client, event: Self.event)
        let transport = HTTPTransport()
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(job)
        await transport.shutdown()
        guard case .delivered = outcome else {
            Issue.record("\(setup.type): \(outcome)")
            return
        }
        let received = await recorder.requests()
        let rendered = job.plan.requests
        #expect(received.count == rendered.count)
        for (request, arrived) in zip(rendered, received) {
            #expect(arrived.method == request.method)
            let address = try #require(WebAddress(request.url))
            #expect(arrived.uri == address.path + (address.query.map { "?\($0)" } ?? ""))
            #expect(arrived.body == request.body, "\(arrived.bodyString)")
            for header in request.headers {
                #expect(arrived.headerValues(header.name) == [header.value], "\(header.name)")
            }
        }
    }

    @Test("a refusal whose body echoes the credential fails without showing it", arguments: setups.filter { !$0.secret.isEmpty })
    func masking(_ setup: Setup) async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(with: [ScriptedResponse(status: 401, body: "{\"message\":\"credential \(Self.credential) is not valid\"}")])
        let client = try client(setup, base: recorder.baseURL)
        let transport = HTTPTransport()
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(
            try AgentFixtures.job(client, event: Self.event))
        await transport.shutdown()
        guard case .failed(let failure) = outcome else {
            Issue.record("\(setup.type): expected a failure, got \(outcome)")
            return
        }
        #expect(failure.status == 401)
        #expect(failure.description.contains("*****"), "\(failure)")
        #expect(!failure.description.contains(Self.credential), "\(failure)")
    }

    @Test("bitbucket: BITBUCKET_API_BASE_URL (honoured as Flux's SDK does) reaches a loopback API; 404 then POST, then a duplicate")
    func bitbucketCloud() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        let provider = AgentFixtures.provider(type: .bitbucket, address: "https://bitbucket.org/workspace/repo", secretRef: "s")
        // The notifier reads the variable when it is built.
        let client = try ProcessEnvironmentLock.with("BITBUCKET_API_BASE_URL", recorder.baseURL + "/2.0") {
            try AgentFixtures.client(provider, secrets: ["s": AgentFixtures.secret("s", ["token": "user:\(Self.credential)"])])
        }
        let statusPath = "/2.0/repositories/workspace/repo/commit/a1afe267b54f38b46b487f6e938a6fd508278c07/statuses/build"
        let job = try AgentFixtures.job(client, event: Self.event)
        let key = try #require(job.plan.requests.first?.url.split(separator: "/").last.map(String.init))
        recorder.respond(path: "\(statusPath)/\(key)", method: "GET", with: [ScriptedResponse(status: 404, body: #"{"type":"error"}"#)])
        let transport = HTTPTransport()
        let first = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(job)
        #expect(first == .delivered(status: 200, attempts: 2))
        let written = try #require(await recorder.requests().last)
        #expect(written.method == "POST")
        #expect(written.path == statusPath)
        recorder.respond(
            path: "\(statusPath)/\(key)", method: "GET",
            with: [ScriptedResponse(status: 200, body: #"{"key":"k","state":"SUCCESSFUL","description":"reason"}"#)])
        let second = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(job)
        await transport.shutdown()
        #expect(second == .duplicate)
        #expect(await recorder.requests().map(\.method) == ["GET", "POST", "GET"])
    }
}

/// Azure DevOps: the SDK's route discovery, then the status list and write, against an in-process server.
@Suite("Azure DevOps commit statuses over loopback")
struct AzureDevOpsDeliveryTests {
    static let sha = "a1afe267b54f38b46b487f6e938a6fd508278c07"
    static let locations = #"""
        {"count":2,"value":[
          {"id":"00000000-0000-0000-0000-000000000000","area":"core","resourceName":"projects","routeTemplate":"_apis/{resource}","minVersion":"1.0","maxVersion":"7.1","releasedVersion":"7.0","resourceVersion":1},
          {"id":"428dd4fb-fda5-4722-af02-9313b80305da","area":"git","resourceName":"statuses","routeTemplate":"{project}/_apis/{area}/repositories/{repositoryId}/commits/{commitId}/{resource}","minVersion":"1.0","maxVersion":"7.1","releasedVersion":"7.0","resourceVersion":1}
        ]}
        """#

    @Test("OPTIONS once per organisation, GET statuses, POST unless the same name and genre already say it")
    func delivery() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(path: "/myorg/_apis", method: "OPTIONS", with: [ScriptedResponse(status: 200, body: Self.locations)])
        let statuses = "/myorg/project/_apis/git/repositories/repo/commits/\(Self.sha)/statuses"
        let existing =
            #"{"count":1,"value":[{"state":"succeeded","description":"reason","context":{"name":"gitrepository/webapp/0c9c2e41","genre":"fluxcd"}}]}"#
        recorder.respond(
            path: statuses, method: "GET",
            with: [ScriptedResponse(status: 200, body: #"{"count":0,"value":[]}"#), ScriptedResponse(status: 200, body: existing)])
        let provider = AgentFixtures.provider(type: .azureDevOps, address: recorder.baseURL + "/MyOrg/project/_git/repo", secretRef: "pat")
        let client = try AgentFixtures.client(provider, secrets: ["pat": AgentFixtures.secret("pat", ["token": "azure-pat-value"])])
        let event = AgentFixtures.event(metadata: ["revision": "main@sha1:\(Self.sha)"])
        let transport = HTTPTransport()
        defer { Task { await transport.shutdown() } }
        let deliverer = Deliverer(transport: transport, retry: AgentFixtures.fastRetry)
        #expect(await deliverer.deliver(try AgentFixtures.job(client, event: event)) == .delivered(status: 200, attempts: 3))
        #expect(await deliverer.deliver(try AgentFixtures.job(client, event: event)) == .duplicate)
        let requests = await recorder.requests()
        #expect(
            requests.map { "\($0.method) \($0.uri)" } == ["OPTIONS /myorg/_apis", "GET \(statuses)", "POST \(statuses)", "GET \(statuses)"])
        let write = requests[2]
        #expect(write.header("Authorization") == "Basic " + Data(":azure-pat-value".utf8).base64EncodedString())
        #expect(write.header("Accept") == "application/json;api-version=6.0")
        #expect(write.header("Content-Type") == "application/json;charset=utf-8")
        #expect(write.header("X-TFS-FedAuthRedirect") == "Suppress")
        #expect(
            write.bodyString
                == #"{"context":{"genre":"fluxcd","name":"gitrepository/webapp/0c9c2e41"},"description":"reason","state":"succeeded"}"#)
    }
}

/// Bitbucket Server's errors, worded as Flux's tests pin them, from a real exchange.
@Suite("Bitbucket Server error texts over loopback")
struct BitbucketServerErrorTests {
    static let sha = "a1afe267b54f38b46b487f6e938a6fd508278c07"

    func failure(read: ScriptedResponse, write: ScriptedResponse = .ok) async throws -> DeliveryFailure? {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        let builds = "/rest/api/latest/projects/p/repos/r/commits/\(Self.sha)/builds"
        recorder.respond(path: builds, method: "GET", with: [read])
        recorder.respond(path: builds, method: "POST", with: [write])
        let provider = AgentFixtures.provider(type: .bitbucketServer, address: recorder.baseURL + "/scm/p/r.git", secretRef: "t")
        let client = try AgentFixtures.client(provider, secrets: ["t": AgentFixtures.secret("t", ["token": "bb-token-value"])])
        let transport = HTTPTransport()
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(
            try AgentFixtures.job(client, event: AgentFixtures.event(metadata: ["revision": "main@sha1:\(Self.sha)"])))
        await transport.shutdown()
        if case .failed(let failure) = outcome { return failure }
        return nil
    }

    @Test("a refused duplicate check, an unreadable one, and a refused write")
    func errorTexts() async throws {
        #expect(
            try await failure(read: .status(400))?.message
                == "could not get existing commit status: failed api call to check duplicate commit status: 400 - Bad Request")
        #expect(
            try await failure(read: ScriptedResponse(status: 200, body: ""))?.message
                == "could not get existing commit status: could not unmarshal json response body for duplicate commit status: unexpected end of JSON input"
        )
        #expect(
            try await failure(read: .status(404), write: .status(401))?.message
                == "could not post build status: could not post build commit status: 401 - Unauthorized")
    }
}

/// Telegram's Bot API host is fixed, so its delivery is checked where it leaves: through the proxy.
@Suite("Telegram through a proxy")
struct TelegramProxyTests {
    @Test("the request tunnels to api.telegram.org:443, and the bot token is not in the failure")
    func tunnel() async throws {
        let proxy = try await ForwardProxy.start()
        defer { Task { try? await proxy.shutdown() } }
        var provider = AgentFixtures.provider(
            type: .telegram, address: "", timeout: .seconds(2), proxy: proxy.url, secretRef: "bot")
        provider.channel = "-100123"
        let client = try AgentFixtures.client(
            provider, secrets: ["bot": AgentFixtures.secret("bot", ["token": "123456:telegram-bot-token"])])
        let transport = HTTPTransport()
        let outcome = await Deliverer(transport: transport, retry: RetryPolicy(maxRetries: 0)).deliver(try AgentFixtures.job(client))
        await transport.shutdown()
        #expect(await proxy.requestLines.first == "CONNECT api.telegram.org:443 HTTP/1.1")
        // Nothing leaves this machine, so the tunnel cannot be opened; the failure must not show the token.
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure without a network, got \(outcome)")
            return
        }
        #expect(!failure.description.contains("telegram-bot-token"))
    }
}
