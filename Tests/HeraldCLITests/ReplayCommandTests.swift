import Foundation
import HeraldJSON
import HeraldTestSupport
import Testing

/// `herald replay` end to end, as a subprocess: output, delivery and every exit status.
@Suite("herald replay (subprocess)")
struct ReplayCommandTests {
    static func providerManifests(baseURL: String, extra: String = "") -> String {
        """
        apiVersion: v1
        kind: Secret
        metadata: {name: hmac, namespace: apps}
        stringData:
          token: cli-test-hmac-key
        ---
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Provider
        metadata: {name: generic, namespace: apps}
        spec: {type: generic-hmac, address: "\(baseURL)/generic", secretRef: {name: hmac}}
        ---
        apiVersion: notification.toolkit.fluxcd.io/v1beta2
        kind: Provider
        metadata: {name: discord, namespace: apps}
        spec: {type: discord, address: "\(baseURL)/api/webhooks/1/abc"}
        ---
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Alert
        metadata: {name: all, namespace: apps}
        spec:
          providerRef: {name: generic}
          eventSources: [{kind: Kustomization, name: '*'}]
        ---
        apiVersion: notification.toolkit.fluxcd.io/v1beta2
        kind: Alert
        metadata: {name: errors, namespace: apps}
        spec:
          providerRef: {name: discord}
          eventSeverity: error
          eventSources: [{kind: Kustomization, name: webapp}]
        \(extra)
        """
    }

    static func fluxEvent(name: String = "webapp", severity: String = "info", message: String) -> String {
        let event: JSONValue = [
            "involvedObject": [
                "kind": "Kustomization", "namespace": "apps", "name": .string(name), "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            ],
            "severity": .string(severity), "timestamp": "2026-11-25T10:00:00Z", "message": .string(message),
            "reason": "ReconciliationSucceeded", "reportingController": "kustomize-controller",
        ]
        return JSONWriter.string(event)
    }

    @Test("--version prints the version and --help describes every replay flag")
    func versionAndHelp() async throws {
        let version = try await HeraldProcess.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == false)
        let help = try await HeraldProcess.run(["replay", "--help"])
        #expect(help.status == 0)
        for flag in [
            "--manifests", "--events", "--dry-run", "--rate-limit-interval", "--rate-limit-cache-size", "--no-cross-namespace-refs",
            "--concurrency", "--queue-size", "--overflow", "--trace-reason", "--log-level",
        ] {
            #expect(help.stdout.contains(flag), "help does not mention \(flag)")
        }
    }

    @Test("dry-run of examples/: the Flux guide's Alerts produce the expected notifications in order")
    func dryRunExamples() async throws {
        let root = HeraldProcess.repositoryRoot
        let result = try await HeraldProcess.run([
            "replay", "--manifests", root.appendingPathComponent("examples/manifests").path,
            "--events", root.appendingPathComponent("examples/events.jsonl").path, "--dry-run",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let records = try result.stdoutLines.map { try JSONParser.parse($0) }
        #expect(
            records.map { "\($0["alert"]?.stringValue ?? "")>\($0["type"]?.stringValue ?? "")" } == [
                "flux-system/on-call-webapp>slack", "flux-system/on-call-webapp>slack", "flux-system/podinfo>github",
                "flux-system/on-call-webapp>slack", "flux-system/podinfo>github", "flux-system/on-call-webapp>slack",
            ])
        let github = try #require(records.first { $0["type"] == "github" })
        #expect(github["request"]?["headers"]?["Authorization"] == "<redacted>")
        #expect(!result.stdout.contains("ghp_example_token_replace_me"), "the token must never be printed")
        #expect(github["request"]?["body"]?["context"] == "kustomization/podinfo/8ae1ca6c")
        let slack = records[0]
        // The webhook address comes from a Secret: its host shows, its path (the token) does not.
        #expect(slack["request"]?["url"] == "https://hooks.slack.com/*****")
        #expect(!result.stdout.contains("YOUR/SLACK/WEBHOOK"), "a webhook path read from a Secret must not be printed")
        #expect(slack["request"]?["body"]?["channel"] == "general")
    }

    @Test("--show-secrets prints what Secrets hold: the webhook path and the token")
    func dryRunShowSecrets() async throws {
        let root = HeraldProcess.repositoryRoot
        let result = try await HeraldProcess.run([
            "replay", "--manifests", root.appendingPathComponent("examples/manifests").path,
            "--events", root.appendingPathComponent("examples/events.jsonl").path, "--dry-run", "--show-secrets",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let records = try result.stdoutLines.map { try JSONParser.parse($0) }
        #expect(records.first?["request"]?["url"] == "https://hooks.slack.com/services/YOUR/SLACK/WEBHOOK")
        #expect(result.stdout.contains("ghp_example_token_replace_me"))
    }

    @Test("a forged Event, stored in one namespace about another's object, is dropped and warned about once")
    func forgedEventDropped() async throws {
        let root = HeraldProcess.repositoryRoot
        let forged = """
            {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "podinfo.forged", "namespace": "tenant-a", "uid": "f-1"},
             "involvedObject": {"kind": "Kustomization", "namespace": "flux-system", "name": "podinfo"},
             "type": "Warning", "reason": "ReconciliationFailed", "message": "forged", "eventTime": "2026-12-08T10:00:00.000000Z",
             "reportingComponent": "kustomize-controller", "reportingInstance": "x", "count": 1}
            """
        let events = FileManager.default.temporaryDirectory.appendingPathComponent("forged-\(UInt64.random(in: 0...UInt64.max)).jsonl")
        try Data((forged.split(separator: "\n").joined() + "\n" + forged.split(separator: "\n").joined() + "\n").utf8).write(to: events)
        defer { try? FileManager.default.removeItem(at: events) }
        let result = try await HeraldProcess.run([
            "replay", "--manifests", root.appendingPathComponent("examples/manifests").path, "--events", events.path, "--dry-run",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdoutLines.isEmpty)
        let warnings = result.stderr.split(separator: "\n").filter { $0.contains("names an object in namespace flux-system") }
        #expect(warnings.count == 1, "stderr: \(result.stderr)")
    }

    @Test("debug decision lines carry the event's context: line, sequence, snapshot, and a Kubernetes Event's uid and count")
    func decisionContext() async throws {
        let root = HeraldProcess.repositoryRoot
        let result = try await HeraldProcess.run([
            "replay", "--manifests", root.appendingPathComponent("examples/manifests").path,
            "--events", root.appendingPathComponent("examples/events.jsonl").path, "--dry-run", "--log-level", "debug",
            "--log-encoding", "json",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        // One decision per event: dispatched, discarded or ignored (skips of single notifications come on top).
        let decisions = try result.stderr.split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }.filter {
            let message = $0["msg"]?.stringValue ?? ""
            return message == "dispatching event" || message.hasPrefix("discarding event") || message.hasPrefix("event ignored")
        }
        #expect(decisions.count == 8)
        #expect(decisions.map { $0["line"]?.stringValue } == decisions.indices.map { String($0 + 1) }, "one decision per line, in order")
        #expect(decisions.map { $0["sequence"]?.stringValue } == decisions.indices.map { String($0 + 1) })
        #expect(decisions.allSatisfy { $0["snapshot"] == "0" })
        // Line 2 of the examples is a core/v1 Event: its identity is in the line; line 1 is a Flux event and has none.
        #expect(decisions[1]["event.uid"] == "b0e4f7c2-1111-4c3d-9e8f-0a1b2c3d4e5f")
        #expect(decisions[1]["event.count"] == "1")
        #expect(decisions[0]["event.uid"] == nil)
    }

    @Test("real delivery to a receiver: exit 0, signed generic body, Discord /slack endpoint, error-only Alert")
    func realDelivery() async throws {
        let recorder = try await WebhookRecorder.start()
        let workspace = try Workspace()
        defer {
            workspace.remove()
            Task { try? await recorder.shutdown() }
        }
        let manifests = try workspace.write("manifests/providers.yaml", Self.providerManifests(baseURL: recorder.baseURL))
        let events = try workspace.write(
            "events.jsonl",
            [Self.fluxEvent(message: "applied"), "", Self.fluxEvent(severity: "error", message: "health check failed")].joined(
                separator: "\n")
                + "\n")
        let result = try await HeraldProcess.run(["replay", "--manifests", manifests, "--events", events])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let requests = await recorder.requests()
        #expect(requests.map(\.path).sorted() == ["/api/webhooks/1/abc/slack", "/generic", "/generic"])
        let signed = try #require(requests.first { $0.path == "/generic" })
        #expect(signed.header("X-Signature")?.hasPrefix("sha256=") == true)
        #expect(signed.bodyJSON?["involvedObject"]?["name"] == "webapp")
        #expect(!result.stderr.contains("cli-test-hmac-key"))
    }

    @Test("exit 1: a failed delivery and an invalid line are reported; the other lines are still processed")
    func failuresExitOne() async throws {
        let recorder = try await WebhookRecorder.start()
        let workspace = try Workspace()
        defer {
            workspace.remove()
            Task { try? await recorder.shutdown() }
        }
        recorder.respond(path: "/api/webhooks/1/abc/slack", with: [ScriptedResponse(status: 400, body: "unknown webhook")])
        let manifests = try workspace.write("providers.yaml", Self.providerManifests(baseURL: recorder.baseURL))
        let events = try workspace.write(
            "events.jsonl",
            [Self.fluxEvent(message: "one"), "{not json", Self.fluxEvent(severity: "error", message: "two")].joined(separator: "\n"))
        let result = try await HeraldProcess.run(["replay", "--manifests", manifests, "--events", events])
        #expect(result.status == 1)
        #expect(result.stderr.contains("line 2:"))
        #expect(result.stderr.contains("request failed with status code 400"))
        #expect(!result.stderr.contains("/api/webhooks/1/abc"), "webhook paths are credentials and never logged")
        #expect(await recorder.requests().filter { $0.path == "/generic" }.count == 2)
    }

    @Test("exit 1: a Provider that cannot be built (its Secret is missing) fails its Alert only")
    func unsupportedProviderType() async throws {
        let recorder = try await WebhookRecorder.start()
        let workspace = try Workspace()
        defer {
            workspace.remove()
            Task { try? await recorder.shutdown() }
        }
        let extra = """
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: otel, namespace: apps}
            spec: {type: otel, address: "https://otel.example/v1/traces", secretRef: {name: missing}}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: otel, namespace: apps}
            spec:
              providerRef: {name: otel}
              eventSources: [{kind: Kustomization, name: '*'}]
            """
        let manifests = try workspace.write("providers.yaml", Self.providerManifests(baseURL: recorder.baseURL, extra: extra))
        let events = try workspace.write("events.jsonl", Self.fluxEvent(message: "applied") + "\n")
        let result = try await HeraldProcess.run(["replay", "--manifests", manifests, "--events", events])
        #expect(result.status == 1)
        #expect(result.stderr.contains("failed to read secret apps/missing: not found"), "\(result.stderr)")
        #expect(await recorder.requests().map(\.path) == ["/generic"])
    }

    @Test("exit 2: an invalid manifest names file, document, object and field, and nothing is sent")
    func invalidManifestExitTwo() async throws {
        let recorder = try await WebhookRecorder.start()
        let workspace = try Workspace()
        defer {
            workspace.remove()
            Task { try? await recorder.shutdown() }
        }
        let manifests = try workspace.write(
            "bad.yaml",
            Self.providerManifests(baseURL: recorder.baseURL)
                + """

                ---
                apiVersion: notification.toolkit.fluxcd.io/v1beta1
                kind: Alert
                metadata: {name: broken, namespace: apps}
                spec:
                  providerRef: {name: generic}
                  eventSeverity: warning
                  eventSources: [{kind: Kustomization, name: '*'}]
                """)
        let events = try workspace.write("events.jsonl", Self.fluxEvent(message: "applied") + "\n")
        let result = try await HeraldProcess.run(["replay", "--manifests", manifests, "--events", events])
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.yaml: document 6"))
        #expect(result.stderr.contains("Alert apps/broken: spec.eventSeverity"))
        #expect(await recorder.requests().isEmpty)
    }

    @Test("--cluster-name reaches the payload as metadata cluster, and a multi-line name is refused")
    func clusterName() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let manifests = try workspace.write("providers.yaml", Self.providerManifests(baseURL: "https://hooks.example"))
        let events = try workspace.write("events.jsonl", Self.fluxEvent(message: "applied") + "\n")
        let result = try await HeraldProcess.run([
            "replay", "--dry-run", "--cluster-name", "edge-7", "--manifests", manifests, "--events", events,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let record = try JSONParser.parse(Array(result.stdout.split(separator: "\n").first.map(String.init)?.utf8 ?? "".utf8))
        #expect(record["request"]?["body"]?["metadata"]?["cluster"] == "edge-7")
        let refused = try await HeraldProcess.run([
            "replay", "--dry-run", "--cluster-name", "a\nb", "--manifests", manifests, "--events", events,
        ])
        #expect(refused.status == 2)
    }

    @Test("exit 2: bad flags and unreadable event files")
    func usageErrorsExitTwo() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let manifests = try workspace.write("m.yaml", Self.providerManifests(baseURL: "http://127.0.0.1:9"))
        for arguments in [
            ["replay", "--manifests", manifests],
            ["replay", "--manifests", manifests, "--events", "x", "--concurrency", "0"],
            ["replay", "--manifests", manifests, "--events", "x", "--rate-limit-interval", "soon"],
            ["replay", "--manifests", manifests, "--events", "x", "--bogus"],
            ["replay", "--manifests", manifests, "--events", workspace.url.appendingPathComponent("missing.jsonl").path],
            ["replay", "--manifests", workspace.url.appendingPathComponent("nowhere").path, "--events", "-"],
        ] {
            let result = try await HeraldProcess.run(arguments, stdin: "")
            #expect(result.status == 2, "\(arguments) exited \(result.status): \(result.stderr)")
            #expect(!result.stderr.isEmpty)
        }
    }

    @Test("--events - streams: a notification is printed before standard input is closed")
    func stdinIsStreamed() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let manifests = try workspace.write("m.yaml", Self.providerManifests(baseURL: "http://127.0.0.1:9"))
        let process = Process()
        process.executableURL = HeraldProcess.binary
        process.arguments = ["replay", "--manifests", manifests, "--events", "-", "--dry-run"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data((Self.fluxEvent(message: "first") + "\n").utf8))
        // Read the first line while stdin is still open: only a streaming reader can produce it now.
        let firstLine = await Task.detached { () -> String in
            var bytes: [UInt8] = []
            while true {
                let data = output.fileHandleForReading.readData(ofLength: 1)
                guard let byte = data.first else { return String(decoding: bytes, as: UTF8.self) }
                if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
                bytes.append(byte)
            }
        }.value
        #expect(try JSONParser.parse(firstLine)["request"]?["body"]?["message"] == "first")
        input.fileHandleForWriting.write(Data((Self.fluxEvent(message: "second") + "\n").utf8))
        try input.fileHandleForWriting.close()
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(String(decoding: rest, as: UTF8.self).contains("\"second\""))
    }

    @Test("--log-encoding json: every stderr line is one JSON object with ts, level and msg; no secret in it")
    func jsonLogs() async throws {
        let recorder = try await WebhookRecorder.start()
        let workspace = try Workspace()
        defer {
            workspace.remove()
            Task { try? await recorder.shutdown() }
        }
        recorder.respond(with: [ScriptedResponse(status: 401, body: "bad key cli-test-hmac-key")])
        let manifests = try workspace.write("m.yaml", Self.providerManifests(baseURL: recorder.baseURL))
        let events = try workspace.write("e.jsonl", Self.fluxEvent(message: "one") + "\nnot json\n")
        let result = try await HeraldProcess.run([
            "replay", "--manifests", manifests, "--events", events, "--log-encoding", "json", "--log-level", "debug",
        ])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count >= 3)
        for line in lines {
            let record = try JSONParser.parse(line)
            #expect(record["ts"]?.stringValue?.hasSuffix("Z") == true)
            #expect(record["level"]?.stringValue != nil)
            #expect(record["msg"]?.stringValue != nil)
        }
        #expect(lines.contains { $0.contains("\"status\":\"401\"") })
        #expect(!result.stderr.contains("cli-test-hmac-key"), "the response excerpt is masked")
    }

    @Test("rate limiting: an identical event within the window is sent once")
    func rateLimited() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let manifests = try workspace.write("m.yaml", Self.providerManifests(baseURL: "http://127.0.0.1:9"))
        let line = Self.fluxEvent(name: "other", message: "same")
        let events = try workspace.write(
            "e.jsonl", [line, line, Self.fluxEvent(name: "other", message: "different")].joined(separator: "\n"))
        let result = try await HeraldProcess.run(["replay", "--manifests", manifests, "--events", events, "--dry-run"])
        #expect(result.status == 0)
        #expect(result.stdoutLines.count == 2)
    }
}
