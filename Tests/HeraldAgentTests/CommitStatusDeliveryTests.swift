import HeraldAgent
import HeraldCore
import HeraldJSON
import HeraldTestSupport
import Testing

/// GitHub and GitLab read the commit's statuses first and skip a write that would repeat one.
@Suite("Commit status duplicate avoidance")
struct CommitStatusDeliveryTests {
    static let sha = "a1afe267b54f38b46b487f6e938a6fd508278c07"

    func kustomizationEvent(severity: String = "info", reason: String = "ReconciliationSucceeded") -> Event {
        Event(
            involvedObject: ObjectReference(kind: "Kustomization", namespace: "flux-system", name: "podinfo"), severity: severity,
            timestamp: FluxTimestamp(secondsSinceEpoch: 1_700_000_000), message: "done", reason: reason,
            metadata: ["revision": "main@sha1:\(Self.sha)", "commit_status": "update"], reportingController: "kustomize-controller")
    }

    func deliver(_ type: ProviderType, recorder: WebhookRecorder, path: String, event: Event) async throws -> DeliveryOutcome {
        let transport = HTTPTransport()
        let secrets = ["token": AgentFixtures.secret("token", ["token": "glpat-or-ghp-token"])]
        let client = try AgentFixtures.client(
            AgentFixtures.provider(type: type, address: recorder.baseURL + path, secretRef: "token"), secrets: secrets)
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(
            try AgentFixtures.job(client, event: event))
        await transport.shutdown()
        return outcome
    }

    func githubStatuses(_ statuses: [(context: String, state: String, description: String)]) -> ScriptedResponse {
        let body = JSONValue.array(
            statuses.map { ["context": .string($0.context), "state": .string($0.state), "description": .string($0.description)] })
        return ScriptedResponse(status: 200, headers: [("Content-Type", "application/json")], body: JSONWriter.bytes(body))
    }

    @Test("GitHub Enterprise: an equal newest status means no POST")
    func githubEqualStatusSkipsWrite() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(
            path: "/api/v3/repos/stefanprodan/podinfo/commits/\(Self.sha)/statuses?per_page=50", method: "GET",
            with: [githubStatuses([("kustomization/podinfo/0c9c2e41", "success", "reconciliation succeeded")])])
        let outcome = try await deliver(.github, recorder: recorder, path: "/stefanprodan/podinfo", event: kustomizationEvent())
        #expect(outcome == .duplicate)
        let requests = await recorder.requests()
        #expect(requests.map(\.method) == ["GET"])
        #expect(requests.first?.header("Authorization") == "Bearer glpat-or-ghp-token")
    }

    @Test("GitHub Enterprise: a different newest status means a POST with state, description and context")
    func githubDifferentStatusWrites() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        // Newest first: the newest for our context says failure, an older one says success.
        recorder.respond(
            path: "/api/v3/repos/stefanprodan/podinfo/commits/\(Self.sha)/statuses?per_page=50", method: "GET",
            with: [
                githubStatuses([
                    ("kustomization/podinfo/0c9c2e41", "failure", "health check failed"),
                    ("kustomization/podinfo/0c9c2e41", "success", "reconciliation succeeded"),
                ])
            ])
        recorder.respond(path: "/api/v3/repos/stefanprodan/podinfo/statuses/\(Self.sha)", method: "POST", with: [.status(201)])
        let outcome = try await deliver(.github, recorder: recorder, path: "/stefanprodan/podinfo", event: kustomizationEvent())
        #expect(outcome == .delivered(status: 201, attempts: 2))
        let requests = await recorder.requests()
        #expect(requests.map(\.method) == ["GET", "POST"])
        #expect(
            requests.last?.bodyJSON
                == ["state": "success", "description": "reconciliation succeeded", "context": "kustomization/podinfo/0c9c2e41"])
    }

    @Test("GitLab: an existing status with the same sha, state, description and name means no POST")
    func gitlabEqualStatusSkipsWrite() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        let existing: JSONValue = [
            [
                "sha": .string(Self.sha), "status": "failed", "description": "health check failed",
                "name": "kustomization/podinfo/0c9c2e41",
            ]
        ]
        recorder.respond(
            path: "/api/v4/projects/group%2Fsub%2Fpodinfo/repository/commits/\(Self.sha)/statuses?name=kustomization%2Fpodinfo%2F0c9c2e41",
            method: "GET", with: [ScriptedResponse(status: 200, body: JSONWriter.bytes(existing))])
        let outcome = try await deliver(
            .gitlab, recorder: recorder, path: "/group/sub/podinfo.git",
            event: kustomizationEvent(severity: "error", reason: "HealthCheckFailed"))
        #expect(outcome == .duplicate)
        let requests = await recorder.requests()
        #expect(requests.map(\.method) == ["GET"])
        #expect(requests.first?.header("PRIVATE-TOKEN") == "glpat-or-ghp-token")
    }

    @Test("GitLab: no equal status means a POST to the URL-encoded project")
    func gitlabDifferentStatusWrites() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(method: "GET", with: [ScriptedResponse(status: 200, body: "[]")])
        recorder.respond(method: "POST", with: [.status(201)])
        let outcome = try await deliver(.gitlab, recorder: recorder, path: "/group/sub/podinfo.git", event: kustomizationEvent())
        #expect(outcome == .delivered(status: 201, attempts: 2))
        let post = try #require(await recorder.requests().last)
        #expect(post.uri == "/api/v4/projects/group%2Fsub%2Fpodinfo/statuses/\(Self.sha)")
        #expect(post.bodyJSON == ["state": "success", "name": "kustomization/podinfo/0c9c2e41", "description": "reconciliation succeeded"])
    }

    @Test("a failing status read fails the delivery instead of writing blindly")
    func failedReadFails() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(method: "GET", with: [ScriptedResponse(status: 401, body: "Bad credentials")])
        let outcome = try await deliver(.github, recorder: recorder, path: "/stefanprodan/podinfo", event: kustomizationEvent())
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(failure.status == 401)
        #expect(failure.message.hasPrefix("could not list commit statuses"))
        #expect(await recorder.requests().map(\.method) == ["GET"])
    }
}
