import CryptoExtras
import Foundation
import HeraldAgent
import HeraldCore
import HeraldJSON
import HeraldNotifiers
import HeraldTestSupport
import Synchronization
import Testing

/// GitHub App authentication against an in-process GitHub API: JWT, installation lookup, token
/// request, caching, expiry and the refetch after a 401.
@Suite("GitHub App authentication", .serialized)
struct GitHubAppTests {
    static let key = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let sha = "a1afe267b54f38b46b487f6e938a6fd508278c07"
    static let statusesPath = "/api/v3/repos/org/repo/statuses/\(sha)"

    /// A wall clock the test moves.
    final class TestClock: Sendable {
        let seconds = Mutex(1_800_000_000.0)
        var clock: WallClock { WallClock { [self] in seconds.withLock { $0 } } }
        func advance(_ delta: Double) { seconds.withLock { $0 += delta } }
    }

    static let event = AgentFixtures.event(metadata: ["revision": "main@sha1:\(sha)"])

    func client(
        _ recorder: WebhookRecorder, _ extra: [String: String] = ["githubAppInstallationID": "123"], type: ProviderType = .github
    )
        throws -> ProviderClient
    {
        var secret = [
            "githubAppID": "4242", "githubAppPrivateKey": Self.key.pemRepresentation, "githubAppBaseURL": recorder.baseURL + "/api/v3",
        ]
        secret.merge(extra) { $1 }
        let provider = AgentFixtures.provider(type: type, address: recorder.baseURL + "/org/repo", secretRef: "app")
        return try AgentFixtures.client(provider, secrets: ["app": AgentFixtures.secret("app", secret)])
    }

    func tokenResponse(_ token: String, expiresIn seconds: Double, from clock: TestClock) -> ScriptedResponse {
        let expiry = FluxTimestamp(secondsSinceEpoch: Int64(clock.seconds.withLock { $0 } + seconds)).rfc3339
        return ScriptedResponse(status: 201, body: #"{"token":"\#(token)","expires_at":"\#(expiry)"}"#)
    }

    func deliver(_ client: ProviderClient, clock: TestClock) async throws -> DeliveryOutcome {
        let transport = HTTPTransport()
        defer { Task { await transport.shutdown() } }
        return await Deliverer(transport: transport, retry: AgentFixtures.fastRetry, wallClock: clock.clock).deliver(
            try AgentFixtures.job(client, event: Self.event))
    }

    func verifiedClaims(_ authorization: String?) throws -> JSONValue {
        let jwt = try #require(authorization?.split(separator: " ").last.map(String.init))
        let (header, claims) = try RS256.verify(jwt, key: Self.key.publicKey)
        #expect(header == ["alg": "RS256", "typ": "JWT"])
        return claims
    }

    @Test("installation id given: JWT (iat 30 s back, 2 min), token request, then the status with the installation token")
    func installationToken() async throws {
        let clock = TestClock()
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(
            path: "/api/v3/app/installations/123/access_tokens", method: "POST",
            with: [tokenResponse("ghs_first", expiresIn: 3600, from: clock)])
        recorder.respond(
            path: "/api/v3/repos/org/repo/commits/\(Self.sha)/statuses", method: "GET", with: [ScriptedResponse(status: 200, body: "[]")])
        let client = try client(recorder)
        #expect(try await deliver(client, clock: clock) == .delivered(status: 200, attempts: 3))
        let requests = await recorder.requests()
        #expect(
            requests.map { "\($0.method) \($0.path)" } == [
                "POST /api/v3/app/installations/123/access_tokens", "GET /api/v3/repos/org/repo/commits/\(Self.sha)/statuses",
                "POST \(Self.statusesPath)",
            ])
        #expect(requests[0].bodyString == "null\n")
        let claims = try verifiedClaims(requests[0].header("Authorization"))
        let now = 1_800_000_000
        #expect(claims == ["iss": "4242", "exp": .integer(now - 30 + 120), "iat": .integer(now - 30)])
        #expect(requests[1].header("Authorization") == "Bearer ghs_first")
        #expect(requests[2].header("Authorization") == "Bearer ghs_first")

        // Cached: the next delivery asks for no token.
        #expect(try await deliver(client, clock: clock) == .delivered(status: 200, attempts: 2))
        #expect(await recorder.requests().filter { $0.path.hasSuffix("access_tokens") }.count == 1)
    }

    @Test("a token is reused for 80% of its life, then fetched again")
    func expiry() async throws {
        let clock = TestClock()
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(
            path: "/api/v3/app/installations/123/access_tokens", method: "POST",
            with: [tokenResponse("ghs_first", expiresIn: 100, from: clock), tokenResponse("ghs_second", expiresIn: 3600, from: clock)])
        let client = try client(recorder)
        _ = try await deliver(client, clock: clock)
        clock.advance(70)
        _ = try await deliver(client, clock: clock)
        #expect(await recorder.requests().filter { $0.path.hasSuffix("access_tokens") }.count == 1)
        clock.advance(15)
        _ = try await deliver(client, clock: clock)
        let requests = await recorder.requests()
        #expect(requests.filter { $0.path.hasSuffix("access_tokens") }.count == 2)
        #expect(requests.last?.header("Authorization") == "Bearer ghs_second")
    }

    @Test("a 401 with a cached token drops it, fetches a new one and writes once more")
    func refreshOn401() async throws {
        let clock = TestClock()
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(
            path: "/api/v3/app/installations/123/access_tokens", method: "POST",
            with: [tokenResponse("ghs_revoked", expiresIn: 3600, from: clock), tokenResponse("ghs_fresh", expiresIn: 3600, from: clock)])
        recorder.respond(path: Self.statusesPath, method: "POST", with: [.ok, .status(401), .ok])
        let client = try client(recorder)
        _ = try await deliver(client, clock: clock)
        let outcome = try await deliver(client, clock: clock)
        guard case .delivered = outcome else {
            Issue.record("expected delivery after the refetch, got \(outcome)")
            return
        }
        let writes = await recorder.requests().filter { $0.method == "POST" && $0.path == Self.statusesPath }
        #expect(writes.map { $0.header("Authorization") ?? "" } == ["Bearer ghs_revoked", "Bearer ghs_revoked", "Bearer ghs_fresh"])
    }

    @Test("installation owner: the organization lookup, then the user lookup, names the installation")
    func ownerLookup() async throws {
        let clock = TestClock()
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(path: "/api/v3/orgs/someone/installation", method: "GET", with: [.status(404)])
        recorder.respond(
            path: "/api/v3/users/someone/installation", method: "GET", with: [ScriptedResponse(status: 200, body: #"{"id":77}"#)])
        recorder.respond(
            path: "/api/v3/app/installations/77/access_tokens", method: "POST",
            with: [tokenResponse("ghs_user", expiresIn: 3600, from: clock)])
        let client = try client(recorder, ["githubAppInstallationOwner": "someone"], type: .githubDispatch)
        #expect(try await deliver(client, clock: clock) == .delivered(status: 200, attempts: 4))
        let requests = await recorder.requests()
        #expect(
            requests.map(\.path) == [
                "/api/v3/orgs/someone/installation", "/api/v3/users/someone/installation", "/api/v3/app/installations/77/access_tokens",
                "/api/v3/repos/org/repo/dispatches",
            ])
        #expect(requests.last?.header("Authorization") == "Bearer ghs_user")
    }

    @Test("pull-request comments as an App: the identity is <slug>[bot] from GET app, /user is never called")
    func appComments() async throws {
        let clock = TestClock()
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(
            path: "/api/v3/app/installations/123/access_tokens", method: "POST",
            with: [tokenResponse("ghs_app", expiresIn: 3600, from: clock)])
        recorder.respond(path: "/api/v3/app", method: "GET", with: [ScriptedResponse(status: 200, body: #"{"slug":"flux-app"}"#)])
        let marker = "<!-- flux-pr-comment-key:0c9c2e41-aaaa-bbbb-cccc-000000000000/GitRepository/gitops-system/webapp -->"
        let comments = JSONWriter.string([
            ["id": 5, "user": ["login": "someone"], "body": .string(marker)],
            ["id": 7, "user": ["login": "flux-app[bot]"], "body": .string(marker + "\n\nold")],
        ])
        recorder.respond(
            path: "/api/v3/repos/org/repo/issues/42/comments", method: "GET", with: [ScriptedResponse(status: 200, body: comments)])
        let client = try client(recorder, type: .githubPullRequestComment)
        let event = AgentFixtures.event(metadata: ["change_request": "42"])
        let transport = HTTPTransport()
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry, wallClock: clock.clock).deliver(
            try AgentFixtures.job(client, event: event))
        await transport.shutdown()
        #expect(outcome == .delivered(status: 200, attempts: 4), "\(outcome)")
        let requests = await recorder.requests()
        #expect(
            requests.map { "\($0.method) \($0.path)" } == [
                "POST /api/v3/app/installations/123/access_tokens", "GET /api/v3/app", "GET /api/v3/repos/org/repo/issues/42/comments",
                "PATCH /api/v3/repos/org/repo/issues/comments/7",
            ])
        #expect(requests[1].header("Authorization")?.hasPrefix("Bearer ey") == true, "the slug is asked with the App JWT")
        #expect(requests[3].header("Authorization") == "Bearer ghs_app")
    }

    @Test("githubdispatch: GitHub's 202 Accepted is a failure, as go-github reports it")
    func accepted() async throws {
        let clock = TestClock()
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(path: "/api/v3/repos/org/repo/dispatches", method: "POST", with: [.status(202)])
        let provider = AgentFixtures.provider(type: .githubDispatch, address: recorder.baseURL + "/org/repo", secretRef: "t")
        let client = try AgentFixtures.client(provider, secrets: ["t": AgentFixtures.secret("t", ["token": "ghp_token_value"])])
        let outcome = try await deliver(client, clock: clock)
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(failure.message == "job scheduled on GitHub side; try again later")
    }

    @Test("a refusal that echoes the installation token does not show it")
    func tokenMasked() async throws {
        let clock = TestClock()
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(
            path: "/api/v3/app/installations/123/access_tokens", method: "POST",
            with: [tokenResponse("ghs_secret_installation_token", expiresIn: 3600, from: clock)])
        recorder.respond(
            path: "/api/v3/repos/org/repo/dispatches", method: "POST",
            with: [ScriptedResponse(status: 403, body: "token ghs_secret_installation_token is not allowed")])
        let outcome = try await deliver(try client(recorder, type: .githubDispatch), clock: clock)
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(!failure.description.contains("ghs_secret_installation_token"), "\(failure)")
    }

    @Test("the App keys are checked when the Provider is read, with Flux's messages")
    func validation() throws {
        func error(_ values: [String: String]) -> String? {
            do {
                _ = try AgentFixtures.client(
                    AgentFixtures.provider(type: .github, address: "https://github.com/org/repo", secretRef: "app"),
                    secrets: ["app": AgentFixtures.secret("app", values)])
                return nil
            } catch { return "\(error)" }
        }
        let key = Self.key.pemRepresentation
        #expect(
            error(["githubAppID": "1", "githubAppPrivateKey": key])
                == "app installation owner or ID must be provided to use github app authentication")
        #expect(
            error(["githubAppID": "1", "githubAppInstallationID": "2", "githubAppInstallationOwner": "o", "githubAppPrivateKey": key])
                == "only one of app installation owner or ID must be provided to use github app authentication")
        #expect(
            error(["githubAppID": "1", "githubAppInstallationID": "2"]) == "private key must be provided to use github app authentication")
        #expect(
            error(["githubAppID": "abc", "githubAppInstallationID": "2", "githubAppPrivateKey": key])
                == "app ID must be provided to use github app authentication")
        let bad = error([
            "githubAppID": "1", "githubAppInstallationID": "2",
            "githubAppPrivateKey": "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----",
        ])
        #expect(bad?.hasPrefix("could not parse private key") == true)
        #expect(bad?.contains("AAAA") == false)
    }
}

/// Checks an RS256 JSON Web Token's signature with the public key, independently of Herald's signer.
enum RS256 {
    static func verify(_ jwt: String, key: _RSA.Signing.PublicKey) throws -> (header: JSONValue, claims: JSONValue) {
        let parts = jwt.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        let signature = try #require(Data(base64URL: parts[2]))
        #expect(
            key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: Data("\(parts[0]).\(parts[1])".utf8),
                padding: .insecurePKCS1v1_5))
        let header = try JSONParser.parse(Array(try #require(Data(base64URL: parts[0]))))
        return (header, try JSONParser.parse(Array(try #require(Data(base64URL: parts[1])))))
    }
}

extension Data {
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }
}
