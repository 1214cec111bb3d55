import Foundation
import HeraldJSON
import HeraldTestSupport
import Testing

/// `herald explain --event NAMESPACE/NAME` as a subprocess against the fake API server: the Event, the
/// Alerts, Providers and Secrets and the involved object's labels come from the cluster, nothing is sent.
@Suite("herald explain --event (subprocess against a fake API server)")
struct ExplainClusterTests {
    static let kustomizations = FakeResourceType(
        group: "kustomize.toolkit.fluxcd.io", versions: ["v1"], resource: "kustomizations", kind: "Kustomization", namespaced: true,
        statusSubresource: true)

    /// A Provider with a Secret, an Alert for every Kustomization, one that selects by a label the object
    /// has and one by a label it lacks, and the Event; the API server serves list items without `kind`.
    func cluster() async throws -> (ClusterHarness, kubeconfig: String) {
        let harness = try await ClusterHarness.start()
        harness.api.register(Self.kustomizations)
        _ = try harness.api.create(
            [
                "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                "metadata": ["name": "webapp", "namespace": "apps", "labels": ["team": "web"]], "spec": [:],
            ], group: "kustomize.toolkit.fluxcd.io", version: "v1", resource: "kustomizations", namespace: "apps")
        _ = try harness.api.create(
            [
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "hook-token", "namespace": "apps"],
                "data": ["token": .string(Data("explain-secret-token".utf8).base64EncodedString())],
            ], group: "", version: "v1", resource: "secrets", namespace: "apps")
        try harness.createProvider(
            spec: ["type": "generic-hmac", "address": .string(harness.recorder.baseURL + "/hook"), "secretRef": ["name": "hook-token"]])
        try harness.createAlert("all")
        try harness.createAlert(
            "web-team", extra: [("eventSources", [["kind": "Kustomization", "name": "*", "matchLabels": ["team": "web"]]])])
        try harness.createAlert(
            "api-team", extra: [("eventSources", [["kind": "Kustomization", "name": "*", "matchLabels": ["team": "api"]]])])
        try harness.createEvent(ClusterHarness.coreEvent(name: "webapp.17a", message: "applied revision main"))
        try harness.createEvent(
            ClusterHarness.coreEvent(name: "chart.17b", object: "chart", message: "upgraded", involvedKind: "HelmRelease"))
        let kubeconfig = try harness.workspace.write("kubeconfig.yaml", harness.api.kubeconfig(token: nil, clientCertificate: false))
        return (harness, kubeconfig)
    }

    @Test("a routed Event: exit 0, every Alert's steps with the object's labels, the signed request redacted, nothing sent")
    func routed() async throws {
        let (harness, kubeconfig) = try await cluster()
        defer { Task { await harness.tearDown() } }
        let result = try await HeraldProcess.run(["explain", "--event", "apps/webapp.17a", "--kubeconfig", kubeconfig])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let text = result.stdout
        #expect(text.contains("event: Kustomization apps/webapp"), "\(text)")
        #expect(text.contains("Alert apps/all"))
        #expect(text.contains("Alert apps/web-team"))
        #expect(text.contains("matchLabels: labels differ"), "the api-team Alert reads the object's real labels: \(text)")
        #expect(text.contains("verdict: 2 notification(s) would be sent"), "\(text)")
        #expect(!text.contains("explain-secret-token") && !result.stderr.contains("explain-secret-token"))
        #expect(await harness.recorder.requests().isEmpty, "explain sends nothing")

        let json = try await HeraldProcess.run(["explain", "--event", "apps/webapp.17a", "--kubeconfig", kubeconfig, "--output", "json"])
        #expect(json.status == 0)
        let value = try JSONParser.parse(Array(json.stdout.utf8))
        #expect(value["verdict"] == "send")
        #expect(value["alerts"]?.arrayValue?.count == 3)
    }

    @Test("a Secret that cannot be read (403) leaves only its Provider out, named on stderr; the Event is still explained")
    func unreadableSecret() async throws {
        let (harness, kubeconfig) = try await cluster()
        defer { Task { await harness.tearDown() } }
        try harness.createProvider(
            "ops", namespace: "ops", spec: ["type": "slack", "address": "https://example.invalid/hook", "secretRef": ["name": "ops-token"]])
        harness.api.failNextRequests(status: 403, count: 1, matching: "/api/v1/namespaces/ops/secrets/ops-token")
        let result = try await HeraldProcess.run(["explain", "--event", "apps/webapp.17a", "--kubeconfig", kubeconfig])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("verdict: 2 notification(s) would be sent"), "\(result.stdout)")
        #expect(result.stderr.contains("Secret ops/ops-token: cannot be read"), "\(result.stderr)")
    }

    @Test("an Event no Alert selects: exit 1; an Event that is not there: exit 2 with a hint; bad flags: exit 2")
    func notRouted() async throws {
        let (harness, kubeconfig) = try await cluster()
        defer { Task { await harness.tearDown() } }
        let none = try await HeraldProcess.run(["explain", "--event", "apps/chart.17b", "--kubeconfig", kubeconfig])
        #expect(none.status == 1, "\(none.stdout)\(none.stderr)")
        #expect(none.stdout.contains("verdict: no notification"), "\(none.stdout)")

        let missing = try await HeraldProcess.run(["explain", "--event", "apps/absent", "--kubeconfig", kubeconfig])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("Event apps/absent not found"), "\(missing.stderr)")

        let malformed = try await HeraldProcess.run(["explain", "--event", "absent", "--kubeconfig", kubeconfig])
        #expect(malformed.status == 2, "\(malformed.stderr)")
        #expect(malformed.stderr.contains("--event must be namespace/name"), "\(malformed.stderr)")
        let mixed = try await HeraldProcess.run(["explain", "--event", "apps/absent", "--events", "-"])
        #expect(mixed.status == 2)
        #expect(mixed.stderr.contains("leave out --events and --manifests"), "\(mixed.stderr)")
        #expect(await harness.recorder.requests().isEmpty)
    }
}
