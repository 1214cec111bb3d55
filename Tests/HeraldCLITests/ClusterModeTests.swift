import Foundation
import HeraldJSON
import HeraldTestSupport
import Testing

/// `herald run` against the in-process API server: events flow to a webhook receiver, and every fault
/// the API server can produce is survived with no lost and no duplicated notification.
@Suite("herald run (subprocess against a fake API server)", .serialized)
struct ClusterModeTests {
    @Test("new Events are delivered once; old Events are not; a count increase is a new occurrence")
    func deliversNewOccurrences() async throws {
        let harness = try await ClusterHarness.start()
        defer { Task { await harness.tearDown() } }
        try harness.createProvider()
        try harness.createAlert()
        // Before start: one Event from two hours ago, one from 10 seconds ago (inside the 30 s grace).
        try harness.createEvent(ClusterHarness.coreEvent(name: "old", message: "old", lastTimestamp: ClusterHarness.timestamp(-7200)))
        try harness.createEvent(ClusterHarness.coreEvent(name: "recent", message: "recent", lastTimestamp: ClusterHarness.timestamp(-10)))
        try await harness.startHerald()
        #expect(try await harness.waitForDeliveries(1) == ["recent"])

        let live = try harness.createEvent(ClusterHarness.coreEvent(name: "live", message: "live"))
        #expect(try await harness.waitForDeliveries(2) == ["recent", "live"])

        // The recorder bumps count on a repeat: a MODIFIED with a higher count is a new occurrence.
        var repeated = live
        repeated = try Self.setting(repeated, count: 2)
        try harness.api.update(repeated, group: "", version: "v1", resource: "events", namespace: "apps")
        #expect(try await harness.waitForDeliveries(3) == ["recent", "live", "live"])

        // A MODIFIED that changes neither count nor lastTimestamp (here: a label) is not.
        let current = try #require(harness.api.get(group: "", version: "v1", resource: "events", namespace: "apps", name: "live"))
        var labelled = try #require(current.objectValue)
        var metadata = try #require(labelled["metadata"]?.objectValue)
        metadata["labels"] = ["touched": "yes"]
        labelled["metadata"] = .object(metadata)
        try harness.api.update(.object(labelled), group: "", version: "v1", resource: "events", namespace: "apps")
        try harness.createEvent(ClusterHarness.coreEvent(name: "marker", message: "marker"))
        #expect(try await harness.waitForDeliveries(4) == ["recent", "live", "live", "marker"])
        #expect(await harness.stopHerald() == 0, "SIGTERM exits 0")
    }

    @Test("dropped connections, 410 relists, 500, 429 and a stalled stream lose and repeat nothing")
    func survivesFaults() async throws {
        let harness = try await ClusterHarness.start()
        defer { Task { await harness.tearDown() } }
        try harness.createProvider()
        try harness.createAlert()
        try await harness.startHerald()
        var expected: [String] = []
        func event(_ name: String) async throws {
            try harness.createEvent(ClusterHarness.coreEvent(name: name, message: name))
            expected.append(name)
            #expect(try await harness.waitForDeliveries(expected.count) == expected)
        }
        try await event("e1")

        harness.api.dropWatchConnections()
        try await event("e2")

        // Compaction: a write the Event watch does not see moves the revision past its resume point, then
        // the history is compacted, so the resume point is too old: 410, relist, and the relist (which
        // shows e1 and e2 again) must deliver only e3.
        try harness.api.create(
            ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "unrelated", "namespace": "apps"]], group: "", version: "v1",
            resource: "secrets", namespace: "apps")
        harness.api.expireResourceVersions()
        harness.api.dropWatchConnections()
        try await event("e3")
        #expect(
            harness.heraldLog.split(separator: "\n").contains { $0.contains("relisting") && $0.contains("/api/v1/events") },
            "the Event watch itself relisted")

        harness.api.failNextRequests(status: 500, count: 2, matching: "/api/v1/events")
        harness.api.dropWatchConnections()
        try await event("e4")

        harness.api.failNextRequests(status: 429, count: 1, retryAfterSeconds: 1, matching: "/api/v1/events")
        harness.api.dropWatchConnections()
        try await event("e5")

        // An API server restart: every connection drops, history is compacted, objects stay.
        try await harness.api.restart()
        try await event("e5b")

        // A stream that stays open but sends nothing: Herald must notice (3 s in this test) and reopen.
        harness.api.stallWatches(true)
        try harness.createEvent(ClusterHarness.coreEvent(name: "e6", message: "e6"))
        expected.append("e6")
        try await Task.sleep(for: .seconds(1))
        harness.api.stallWatches(false)
        #expect(try await harness.waitForDeliveries(expected.count, timeout: .seconds(30)) == expected)
        #expect(harness.heraldLog.contains("watch stalled") || harness.heraldLog.contains("relisting"))

        // Settle, then check nothing was delivered twice.
        try await Task.sleep(for: .seconds(1))
        #expect(await harness.deliveredMessages() == expected)
        #expect(harness.heraldLog.contains("relisting"))
    }

    @Test("Alert and Provider edits take effect without a restart")
    func liveEdits() async throws {
        let harness = try await ClusterHarness.start()
        let second = try await WebhookRecorder.start()
        defer {
            Task {
                await harness.tearDown()
                try? await second.shutdown()
            }
        }
        try harness.createProvider()
        let alert = try harness.createAlert()
        try await harness.startHerald()
        try harness.createEvent(ClusterHarness.coreEvent(name: "a", message: "first"))
        #expect(try await harness.waitForDeliveries(1) == ["first"])

        var edited = try #require(alert.objectValue)
        var spec = try #require(edited["spec"]?.objectValue)
        spec["exclusionList"] = ["^skip"]
        edited["spec"] = .object(spec)
        try harness.api.update(.object(edited), group: ClusterHarness.fluxGroup, version: "v1beta3", resource: "alerts", namespace: "apps")
        try await Task.sleep(for: .milliseconds(500))
        try harness.createEvent(ClusterHarness.coreEvent(name: "b", message: "skip me"))
        try harness.createEvent(ClusterHarness.coreEvent(name: "c", message: "second"))
        #expect(try await harness.waitForDeliveries(2) == ["first", "second"])

        let provider = try #require(
            harness.api.get(group: ClusterHarness.fluxGroup, version: "v1beta3", resource: "providers", namespace: "apps", name: "hook"))
        var moved = try #require(provider.objectValue)
        moved["spec"] = ["type": "generic", "address": .string(second.baseURL + "/moved")]
        try harness.api.update(
            .object(moved), group: ClusterHarness.fluxGroup, version: "v1beta3", resource: "providers", namespace: "apps")
        try await Task.sleep(for: .milliseconds(500))
        try harness.createEvent(ClusterHarness.coreEvent(name: "d", message: "third"))
        let moves = try await second.waitForRequests(count: 1)
        #expect(moves.first?.path == "/moved")
        #expect(await harness.deliveredMessages() == ["first", "second"])
    }

    @Test("v1beta2 with a status subresource: Ready conditions for valid and invalid objects")
    func statusConditions() async throws {
        let harness = try await ClusterHarness.start(fluxVersions: ["v1beta1", "v1beta2"], statusSubresource: true)
        defer { Task { await harness.tearDown() } }
        try harness.createProvider()
        try harness.createAlert()
        try harness.createProvider("chat", spec: ["type": "telegram", "channel": "-100"])
        try harness.createAlert("chat", provider: "chat")
        try harness.createAlert("orphan", provider: "missing")
        try await harness.startHerald()

        func ready(_ resource: String, _ name: String) async throws -> JSONValue? {
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                let object = harness.api.get(
                    group: ClusterHarness.fluxGroup, version: "v1beta2", resource: resource, namespace: "apps", name: name)
                if let condition = object?["status"]?["conditions"]?.arrayValue?.first { return condition }
                try await Task.sleep(for: .milliseconds(50))
            }
            return nil
        }
        let alert = try #require(try await ready("alerts", "all"))
        #expect(alert["status"] == "True")
        #expect(alert["reason"] == "Succeeded")
        #expect(alert["message"] == "Initialized")
        #expect(alert["observedGeneration"] == 1)
        let telegram = try #require(try await ready("providers", "chat"))
        #expect(telegram["status"] == "False")
        // A telegram Provider without its bot token cannot be built.
        #expect(telegram["reason"] == "ValidationFailed")
        #expect(telegram["message"] == "empty Telegram token")
        let orphan = try #require(try await ready("alerts", "orphan"))
        #expect(orphan["reason"] == "ProviderNotFound")
        let chatAlert = try #require(try await ready("alerts", "chat"))
        #expect(chatAlert["reason"] == "ProviderNotReady")
        let statusPatches = await harness.api.requestLog.filter { $0.method == "PATCH" && $0.path.hasSuffix("/status") }
        #expect(statusPatches.allSatisfy { $0.header("Content-Type") == "application/merge-patch+json" })
        #expect(statusPatches.count == 5, "one write per object, not one per rebuild")
    }

    @Test("v1beta3 without status: an invalid Provider is reported as a Warning Event, and Herald keeps running")
    func noStatusSubresource() async throws {
        let harness = try await ClusterHarness.start()
        defer { Task { await harness.tearDown() } }
        try harness.createProvider()
        try harness.createAlert()
        try harness.createProvider("chat", spec: ["type": "telegram", "channel": "-100"])
        try await harness.startHerald()
        let deadline = Date().addingTimeInterval(10)
        var warning: JSONValue?
        while Date() < deadline, warning == nil {
            warning = harness.api.list(group: "", version: "v1", resource: "events", namespace: "apps").first {
                $0["source"]?["component"] == "herald" && $0["involvedObject"]?["name"] == "chat"
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let event = try #require(warning)
        #expect(event["type"] == "Warning")
        #expect(event["reason"] == "ValidationFailed")
        #expect(event["involvedObject"]?["kind"] == "Provider")
        // Herald's own Events are never notifications; a Flux one still is.
        try harness.createEvent(ClusterHarness.coreEvent(name: "x", message: "after"))
        #expect(try await harness.waitForDeliveries(1) == ["after"])
        #expect(await harness.api.requestLog.contains { $0.method == "PATCH" } == false)
    }

    @Test("matchLabels reads the involved object's labels with a metadata-only GET")
    func matchLabels() async throws {
        let harness = try await ClusterHarness.start()
        defer { Task { await harness.tearDown() } }
        harness.api.register(
            FakeResourceType(
                group: "kustomize.toolkit.fluxcd.io", versions: ["v1"], resource: "kustomizations", kind: "Kustomization", namespaced: true,
                statusSubresource: true))
        for (name, team) in [("webapp", "web"), ("backend", "data")] {
            try harness.api.create(
                [
                    "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                    "metadata": ["name": .string(name), "namespace": "apps", "labels": ["team": .string(team)]], "spec": [:],
                ], group: "kustomize.toolkit.fluxcd.io", version: "v1", resource: "kustomizations", namespace: "apps")
        }
        try harness.createProvider()
        try harness.createAlert(extra: [("eventSources", [["kind": "Kustomization", "name": "*", "matchLabels": ["team": "web"]]])])
        try await harness.startHerald()
        try harness.createEvent(ClusterHarness.coreEvent(name: "b", object: "backend", message: "backend"))
        try harness.createEvent(ClusterHarness.coreEvent(name: "w", object: "webapp", message: "webapp"))
        try harness.createEvent(ClusterHarness.coreEvent(name: "g", object: "ghost", message: "ghost"))
        try harness.createEvent(ClusterHarness.coreEvent(name: "w2", object: "webapp", message: "webapp again"))
        #expect(try await harness.waitForDeliveries(2) == ["webapp", "webapp again"])
        let gets = await harness.api.requestLog.filter {
            $0.path.hasPrefix("/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/apps/kustomizations/")
        }
        #expect(gets.allSatisfy { $0.header("Accept")?.contains("as=PartialObjectMetadata") == true })
        #expect(gets.filter { $0.path.hasSuffix("/webapp") }.count == 1, "labels are cached")
        #expect(harness.heraldLog.contains("error getting source object Kustomization/apps/ghost"))
    }

    @Test("k3s-style client certificate over TLS, and bearer token rotation through a token file")
    func authentication() async throws {
        let tls = TestTLS()
        let certificate = try await ClusterHarness.start(tls: TestTLS(requireClientCertificate: true), auth: .clientCertificate)
        defer { Task { await certificate.tearDown() } }
        try certificate.createProvider()
        try certificate.createAlert()
        try await certificate.startHerald(kubeconfig: certificate.api.kubeconfig(token: nil, clientCertificate: true))
        try certificate.createEvent(ClusterHarness.coreEvent(name: "a", message: "over mTLS"))
        #expect(try await certificate.waitForDeliveries(1) == ["over mTLS"])

        let tokens = try await ClusterHarness.start(tls: tls, auth: .bearerToken(["first-token"]))
        defer { Task { await tokens.tearDown() } }
        try tokens.createProvider()
        try tokens.createAlert()
        let tokenFile = try tokens.workspace.write("token", "first-token\n")
        let kubeconfig = tokens.api.kubeconfig(token: nil, clientCertificate: false)
            .replacingOccurrences(of: "  user: {}", with: "  user:\n    tokenFile: \(tokenFile)")
        try await tokens.startHerald(kubeconfig: kubeconfig)
        try tokens.createEvent(ClusterHarness.coreEvent(name: "a", message: "first"))
        #expect(try await tokens.waitForDeliveries(1) == ["first"])
        // Rotate: the server stops accepting the old token; the file holds the new one.
        _ = try tokens.workspace.write("token", "second-token\n")
        tokens.api.setAcceptedTokens(["second-token"])
        tokens.api.dropWatchConnections()
        try tokens.createEvent(ClusterHarness.coreEvent(name: "b", message: "second"))
        #expect(try await tokens.waitForDeliveries(2) == ["first", "second"])
        let authorizations = await tokens.api.requestLog.compactMap { $0.header("Authorization") }
        #expect(authorizations.contains("Bearer second-token"))
    }

    @Test("a scrape after a known sequence of events shows the expected counters")
    func metrics() async throws {
        let harness = try await ClusterHarness.start()
        defer { Task { await harness.tearDown() } }
        try harness.createProvider()
        try harness.createAlert()
        try await harness.startHerald(extraArguments: ["--rate-limit-interval", "5m"])
        try harness.createEvent(ClusterHarness.coreEvent(name: "a", message: "applied"))
        try harness.createEvent(ClusterHarness.coreEvent(name: "b", message: "artifact up-to-date", reason: "ArtifactUpToDate"))
        try harness.createEvent(ClusterHarness.coreEvent(name: "c", object: "webapp", message: "applied"))  // same key: rate limited
        var unmatched = ClusterHarness.coreEvent(name: "d", message: "released")
        unmatched = .object(
            JSONObject(
                unmatched.objectValue?.members.map {
                    (
                        $0.key,
                        $0.key == "involvedObject"
                            ? ["kind": "HelmRelease", "namespace": "apps", "name": "podinfo", "apiVersion": "helm.toolkit.fluxcd.io/v2"]
                            : $0.value
                    )
                } ?? []))
        try harness.createEvent(unmatched)
        try harness.createEvent(ClusterHarness.coreEvent(name: "e", message: "failed", type: "Warning", reason: "HealthCheckFailed"))
        _ = try await harness.waitForDeliveries(2)
        try await Task.sleep(for: .milliseconds(300))
        let port = try #require(harness.loggedPort("metrics"))
        let scrape = try #require(ClusterHarness.httpGet(port: port, path: "/metrics"))
        #expect(scrape.status == 200)
        let lines = Set(scrape.body.split(separator: "\n").map(String.init))
        for expected in [
            #"herald_events_received_total{source="watch"} 5"#,
            #"herald_events_dropped_total{reason="trace"} 1"#,
            #"herald_events_dropped_total{reason="rate_limited"} 1"#,
            #"herald_events_dropped_total{reason="no_match"} 1"#,
            #"herald_notifications_delivered_total{type="generic",provider="apps/hook"} 2"#,
            #"herald_build_info{version="0.1.0-dev"} 1.0"#,
        ] {
            #expect(lines.contains(expected), "missing \(expected) in:\n\(scrape.body)")
        }
        #expect(scrape.body.contains("herald_delivery_duration_seconds_bucket"))
        #expect(scrape.body.contains(#"herald_watch_relists_total{resource="events",reason="list"} 1"#))
    }

    @Test("restart after SIGTERM: exactly the Events created while down are delivered, thanks to the Lease watermark")
    func restartDeliversExactlyTheMissedEvents() async throws {
        let harness = try await ClusterHarness.start()
        defer { Task { await harness.tearDown() } }
        try harness.createProvider()
        try harness.createAlert()
        // A zero startup grace: without the watermark, nothing created while Herald was down would be sent.
        let arguments = ["--startup-grace", "0s", "--watermark-interval", "1s"]
        try await harness.startHerald(extraArguments: arguments)
        let lastHandledSecond = ClusterHarness.timestamp()
        try harness.createEvent(ClusterHarness.coreEvent(name: "before", message: "before", lastTimestamp: lastHandledSecond))
        #expect(try await harness.waitForDeliveries(1) == ["before"])
        #expect(await harness.stopHerald() == 0)
        let lease = try #require(
            harness.api.get(group: "coordination.k8s.io", version: "v1", resource: "leases", namespace: "default", name: "herald"))
        #expect(lease["metadata"]?["annotations"]?["herald.toolkit.fluxcd.io/watermark"]?.stringValue?.contains("\"ids\"") == true)

        try harness.createEvent(
            ClusterHarness.coreEvent(name: "down1", message: "while down 1", lastTimestamp: ClusterHarness.timestamp(1)))
        try harness.createEvent(
            ClusterHarness.coreEvent(name: "down2", message: "while down 2", lastTimestamp: ClusterHarness.timestamp(1)))
        // The watermark's own second: told apart from "before" by its identity, not by its time.
        try harness.createEvent(
            ClusterHarness.coreEvent(name: "down0", message: "while down, same second", lastTimestamp: lastHandledSecond))
        try await harness.startHerald(extraArguments: arguments)
        let expected = ["before", "while down, same second", "while down 1", "while down 2"]
        // The restart lists the Events (in key order: down0, down1, down2): list items carry no kind.
        try await harness.expectDeliveredExactly(expected, "nothing handled before the restart is repeated")
    }

    @Test("restart after kill -9: Events handled before the last watermark write are not repeated, missed ones are delivered")
    func killNine() async throws {
        let harness = try await ClusterHarness.start()
        defer { Task { await harness.tearDown() } }
        try harness.createProvider()
        try harness.createAlert()
        let arguments = ["--startup-grace", "0s", "--watermark-interval", "1s"]
        try await harness.startHerald(extraArguments: arguments)
        try harness.createEvent(ClusterHarness.coreEvent(name: "first", message: "first"))
        #expect(try await harness.waitForDeliveries(1) == ["first"])
        try await Task.sleep(for: .milliseconds(2500))  // at least one watermark write after "first"
        try harness.createEvent(ClusterHarness.coreEvent(name: "last", message: "last"))
        #expect(try await harness.waitForDeliveries(2) == ["first", "last"])
        await harness.killHerald()
        try harness.createEvent(ClusterHarness.coreEvent(name: "down", message: "while down", lastTimestamp: ClusterHarness.timestamp(1)))
        try await harness.startHerald(extraArguments: arguments)
        let delivered = try await harness.waitForDeliveries(3)
        try await Task.sleep(for: .seconds(1))
        let all = await harness.deliveredMessages()
        #expect(delivered.first == "first")
        #expect(all.filter { $0 == "first" }.count == 1, "handled before the last watermark write: never repeated")
        #expect(all.filter { $0 == "while down" }.count == 1, "missed while down: delivered once")
        #expect(all.filter { $0 == "last" }.count <= 2, "the last interval may repeat once")
    }

    @Test("leader election: only the leader delivers; after kill -9 the standby takes over within the lease duration, no duplicate, no gap")
    func leaderElection() async throws {
        let harness = try await ClusterHarness.start()
        let standby = ClusterHarness(api: harness.api, recorder: harness.recorder, workspace: harness.workspace, fluxVersion: "v1beta3")
        defer {
            Task {
                _ = await standby.stopHerald()
                await harness.tearDown()
            }
        }
        try harness.createProvider()
        try harness.createAlert()
        let arguments = [
            "--leader-elect", "--lease-duration", "3s", "--renew-deadline", "2s", "--retry-period", "500ms", "--watermark-interval",
            "500ms",
        ]
        func holder() -> String? {
            harness.api.get(group: "coordination.k8s.io", version: "v1", resource: "leases", namespace: "default", name: "herald")?[
                "spec"]?[
                    "holderIdentity"]?.stringValue
        }
        try await harness.startHerald(extraArguments: arguments)
        let deadline = Date().addingTimeInterval(10)
        while (holder() ?? "").isEmpty && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let first = try #require(holder())
        try await standby.startHerald(extraArguments: arguments)

        try harness.createEvent(ClusterHarness.coreEvent(name: "e1", message: "e1"))
        #expect(try await harness.waitForDeliveries(1) == ["e1"])
        try await Task.sleep(for: .seconds(1))
        #expect(await harness.deliveredMessages() == ["e1"], "the standby must not deliver")
        #expect(holder() == first)

        await harness.killHerald()  // no release: the standby must wait for the lease to expire
        let killedAt = Date()
        try harness.createEvent(ClusterHarness.coreEvent(name: "e2", message: "e2", lastTimestamp: ClusterHarness.timestamp(1)))
        #expect(try await harness.waitForDeliveries(2, timeout: .seconds(20)) == ["e1", "e2"])
        #expect(Date().timeIntervalSince(killedAt) < 3 + 2 + 5, "taken over within the lease duration (plus a retry period and a relist)")
        #expect(holder() != first)
        try await Task.sleep(for: .seconds(1))
        #expect(await harness.deliveredMessages() == ["e1", "e2"], "no duplicate after the hand-over")
        #expect(await standby.stopHerald() == 0)
        #expect((holder() ?? "").isEmpty, "a leader that shuts down hands the Lease over")
    }

    @Test("SIGTERM while a delivery hangs: the drain gives up after --shutdown-timeout and Herald exits")
    func shutdownTimeoutBoundsTheDrain() async throws {
        let harness = try await ClusterHarness.start()
        defer { Task { await harness.tearDown() } }
        // The Provider's own timeout (60 s) would hold the delivery far longer than the shutdown timeout.
        try harness.createProvider(spec: ["type": "generic", "address": .string(harness.recorder.baseURL + "/hook"), "timeout": "60s"])
        try harness.createAlert()
        harness.recorder.respond(path: "/hook", with: [.hang])
        try await harness.startHerald(extraArguments: ["--shutdown-timeout", "1s"])
        try harness.createEvent(ClusterHarness.coreEvent(name: "stuck", message: "stuck"))
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while await harness.recorder.requests().isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(await harness.recorder.requests().count == 1, "the delivery never started")

        let stopping = ContinuousClock.now
        let status = await harness.stopHerald()
        let took = stopping.duration(to: .now)
        #expect(status != nil, "Herald did not exit within 15 s of SIGTERM: \(harness.heraldLog.suffix(2000))")
        #expect(took < .seconds(8), "the drain took \(took) with --shutdown-timeout 1s")
        #expect(harness.heraldLog.contains("shutdown timeout reached"), "\(harness.heraldLog.suffix(2000))")
    }

    static func setting(_ event: JSONValue, count: Int) throws -> JSONValue {
        var object = try #require(event.objectValue)
        object["count"] = .integer(count)
        object["lastTimestamp"] = .string(ClusterHarness.timestamp())
        return .object(object)
    }
}
