import Foundation
import HeraldJSON
import HeraldTestSupport
import Testing

/// `herald send-test` as a subprocess: from manifests and from a cluster, against a receiver that
/// answers 200, 401, 429 or never.
@Suite("herald send-test (subprocess)")
struct SendTestTests {
    static func manifests(baseURL: String, timeout: String = "1s") -> String {
        """
        apiVersion: v1
        kind: Secret
        metadata: {name: hook-token, namespace: apps}
        stringData:
          token: send-test-secret-token
        ---
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Provider
        metadata: {name: hook, namespace: apps}
        spec: {type: generic-hmac, address: "\(baseURL)/hook", timeout: \(timeout), secretRef: {name: hook-token}}
        """
    }

    func run(_ response: ScriptedResponse) async throws -> (HeraldProcess.Result, [RecordedRequest]) {
        let recorder = try await WebhookRecorder.start()
        let workspace = try Workspace()
        defer {
            workspace.remove()
            Task { try? await recorder.shutdown() }
        }
        recorder.respond(with: [response, response, response, response, response])
        let file = try workspace.write("providers.yaml", Self.manifests(baseURL: recorder.baseURL))
        let result = try await HeraldProcess.run(["send-test", "--provider", "apps/hook", "--manifests", file, "--metadata", "env=staging"])
        return (result, await recorder.requests())
    }

    @Test("200: exit 0, one marked test event with the Provider's Secret (the HMAC signature) and the given metadata")
    func delivered() async throws {
        let (result, requests) = try await run(.ok)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "generic-hmac Provider apps/hook: delivered: status 200 after 1 attempt(s)\n")
        let request = try #require(requests.first)
        #expect(requests.count == 1)
        let body = try #require(request.bodyJSON)
        #expect(body["reason"] == "HeraldSendTest")
        #expect(body["involvedObject"]?["kind"] == "Provider")
        #expect(body["metadata"]?["env"] == "staging")
        #expect(request.header("X-Signature")?.hasPrefix("sha256=") == true)
    }

    @Test("401: exit 1, the status and the excerpt, and the Secret's token is not shown")
    func unauthorized() async throws {
        let (result, requests) = try await run(ScriptedResponse(status: 401, body: "token send-test-secret-token rejected"))
        #expect(result.status == 1)
        #expect(requests.count == 1, "4xx is not retried")
        #expect(result.stdout.contains("status 401"), "\(result.stdout)")
        #expect(result.stdout.contains("rejected"))
        #expect(!result.stdout.contains("send-test-secret-token") && !result.stderr.contains("send-test-secret-token"))
    }

    @Test("429 with a Retry-After beyond the Provider's timeout: exit 1 after one attempt")
    func tooManyRequests() async throws {
        let (result, _) = try await run(ScriptedResponse(status: 429, headers: [("Retry-After", "5")]))
        #expect(result.status == 1)
        #expect(result.stdout.contains("status 429"), "\(result.stdout)")
    }

    @Test("a receiver that never answers: exit 1 when the Provider's timeout runs out")
    func hanging() async throws {
        let (result, _) = try await run(.hang)
        #expect(result.status == 1)
        #expect(result.stdout.contains("timed out"), "\(result.stdout)")
    }

    @Test("a Provider that is not there, or a malformed --provider: exit 2")
    func invalid() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let file = try workspace.write("providers.yaml", Self.manifests(baseURL: "http://127.0.0.1:9"))
        let missing = try await HeraldProcess.run(["send-test", "--provider", "apps/other", "--manifests", file])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("Provider apps/other is not in --manifests"))
        #expect(try await HeraldProcess.run(["send-test", "--provider", "nope", "--manifests", file]).status == 2)
    }

    @Test("from the cluster: the Provider and its Secret are read from the API server")
    func fromCluster() async throws {
        let harness = try await ClusterHarness.start()
        defer { Task { await harness.tearDown() } }
        _ = try harness.api.create(
            [
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "hook-token", "namespace": "apps"],
                // As a real API server returns a Secret: `data`, base64 (it never returns stringData).
                "data": ["token": .string(Data("cluster-token".utf8).base64EncodedString())],
            ],
            group: "", version: "v1", resource: "secrets", namespace: "apps")
        try harness.createProvider(
            spec: ["type": "generic-hmac", "address": .string(harness.recorder.baseURL + "/hook"), "secretRef": ["name": "hook-token"]])
        let kubeconfig = try harness.workspace.write("kubeconfig.yaml", harness.api.kubeconfig(token: nil, clientCertificate: false))
        let result = try await HeraldProcess.run(["send-test", "--provider", "apps/hook", "--kubeconfig", kubeconfig])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let request = try #require(await harness.recorder.requests().first)
        #expect(request.bodyJSON?["reason"] == "HeraldSendTest")
        #expect(request.header("X-Signature")?.hasPrefix("sha256=") == true)
        let missing = try await HeraldProcess.run(["send-test", "--provider", "apps/absent", "--kubeconfig", kubeconfig])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("Provider apps/absent not found"), "\(missing.stderr)")
    }
}
