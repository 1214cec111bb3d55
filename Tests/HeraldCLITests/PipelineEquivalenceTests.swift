import Foundation
import HeraldJSON
import HeraldTestSupport
import Testing

/// One table of objects and events, driven through `herald replay`, `herald replay --dry-run` and
/// `herald run` (events posted to its ingest endpoint): the three must make the same decisions and the
/// same requests, because they share one processor, dispatcher and deliverer.
@Suite("one pipeline: replay, dry-run and run agree", .serialized)
struct PipelineEquivalenceTests {
    static let group = "notification.toolkit.fluxcd.io"

    /// A Secret, two Providers of different types and three Alerts with every kind of filter.
    static func objects(baseURL: String) -> [JSONValue] {
        func flux(_ kind: String, _ name: String, _ spec: JSONValue) -> JSONValue {
            [
                "apiVersion": .string("\(group)/v1beta3"), "kind": .string(kind),
                "metadata": ["name": .string(name), "namespace": "apps"], "spec": spec,
            ]
        }
        return [
            [
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "hmac", "namespace": "apps"],
                "data": ["token": .string(Data("equivalence-hmac-key".utf8).base64EncodedString())],
            ],
            flux("Provider", "generic", ["type": "generic-hmac", "address": .string(baseURL + "/generic"), "secretRef": ["name": "hmac"]]),
            flux("Provider", "slack", ["type": "slack", "address": .string(baseURL + "/slack"), "channel": "general", "username": "flux"]),
            flux(
                "Alert", "all",
                [
                    "providerRef": ["name": "generic"], "eventSources": [["kind": "Kustomization", "name": "*"]],
                    "exclusionList": ["^skip"],
                ]),
            flux(
                "Alert", "errors",
                [
                    "providerRef": ["name": "slack"], "eventSeverity": "error",
                    "eventSources": [["kind": "Kustomization", "name": "webapp"]],
                    "eventMetadata": ["env": "prod"],
                ]),
            flux(
                "Alert", "sources",
                [
                    "providerRef": ["name": "slack"], "eventSources": [["kind": "GitRepository", "name": "*"]],
                    "inclusionList": [".*revision.*"],
                ]),
        ]
    }

    /// Events with distinct messages (no rate limiting differs between a fast file and slower posts).
    static let events: [(kind: String, name: String, severity: String, message: String)] = [
        ("Kustomization", "webapp", "info", "applied revision 1"),
        ("Kustomization", "webapp", "error", "health check failed"),
        ("Kustomization", "backend", "info", "skip this one"),
        ("GitRepository", "podinfo", "info", "stored artifact for revision main@sha1:abc"),
        ("GitRepository", "podinfo", "info", "no change"),
        ("Kustomization", "backend", "error", "backend failed"),
        ("HelmRelease", "podinfo", "info", "upgrade succeeded"),
    ]

    static func eventLines() -> [String] {
        events.enumerated().map { index, event in
            JSONWriter.string([
                "involvedObject": [
                    "kind": .string(event.kind), "namespace": "apps", "name": .string(event.name),
                    "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
                ],
                "severity": .string(event.severity), "timestamp": .string("2026-11-25T10:00:0\(index)Z"),
                "message": .string(event.message), "reason": "Progressing", "reportingController": "kustomize-controller",
                "metadata": ["revision": .string("main@sha1:\(index)")],
            ])
        }
    }

    /// What a receiver can compare: the request as it arrived, per Provider path, in order.
    struct Request: Hashable, CustomStringConvertible {
        var method: String
        var path: String
        var signature: String?
        var body: JSONValue?

        var description: String { "\(method) \(path) \(body.map { JSONWriter.string($0) } ?? "-")" }
    }

    static func received(_ requests: [RecordedRequest]) -> [String: [Request]] {
        Dictionary(
            grouping: requests.map { Request(method: $0.method, path: $0.path, signature: $0.header("X-Signature"), body: $0.bodyJSON) }
        ) {
            $0.path
        }
    }

    @Test("the same events and objects give the same requests through replay, dry-run and run")
    func sameRequests() async throws {
        let harness = try await ClusterHarness.start()
        defer { Task { await harness.tearDown() } }
        let objects = Self.objects(baseURL: harness.recorder.baseURL)
        let manifests = try harness.workspace.write(
            "objects.json", JSONWriter.string(["apiVersion": "v1", "kind": "List", "items": .array(objects)]))
        let events = try harness.workspace.write("events.jsonl", Self.eventLines().joined(separator: "\n") + "\n")
        // Webapp info and error, backend error → generic; webapp error → slack (errors); the revision → slack (sources).
        let expected = 5

        let replay = try await HeraldProcess.run(["replay", "--manifests", manifests, "--events", events])
        #expect(replay.status == 0, "\(replay.stderr)")
        let replayed = try await harness.recorder.waitForRequests(count: expected)
        #expect(replayed.count == expected)

        let dryRun = try await HeraldProcess.run(["replay", "--dry-run", "--manifests", manifests, "--events", events])
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        let rendered = try dryRun.stdoutLines.map { line in
            let record = try JSONParser.parse(Array(line.utf8))
            let request = try #require(record["request"])
            let url = try #require(request["url"]?.stringValue)
            return Request(
                method: request["method"]?.stringValue ?? "", path: String(url.dropFirst(harness.recorder.baseURL.count)),
                signature: request["headers"]?["X-Signature"]?.stringValue, body: request["body"])
        }
        #expect(Dictionary(grouping: rendered) { $0.path } == Self.received(replayed), "dry-run renders what replay sends")

        for object in objects { try create(object, in: harness) }
        try await harness.startHerald()
        try await harness.waitUntilReady()
        let port = try #require(harness.loggedPort("event ingest"))
        for line in Self.eventLines() {
            let answer = LoopbackHTTP.post(port: port, path: "/", json: line)
            #expect(answer?.status == 202, "ingest answered \(String(describing: answer))")
        }
        let all = try await harness.recorder.waitForRequests(count: 2 * expected)
        #expect(all.count == 2 * expected, "run sends exactly what replay sent")
        #expect(Self.received(Array(all.dropFirst(expected))) == Self.received(replayed), "run sends what replay sends")
        #expect(await harness.stopHerald() == 0)
    }

    private func create(_ object: JSONValue, in harness: ClusterHarness) throws {
        if object["kind"]?.stringValue == "Secret" {
            try harness.api.create(object, group: "", version: "v1", resource: "secrets", namespace: "apps")
        } else {
            let resource = object["kind"]?.stringValue == "Alert" ? "alerts" : "providers"
            try harness.api.create(object, group: Self.group, version: "v1beta3", resource: resource, namespace: "apps")
        }
    }
}
