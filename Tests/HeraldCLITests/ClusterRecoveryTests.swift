import Foundation
import HeraldJSON
import HeraldTestSupport
import Testing

/// The relist promises of `herald run` (issue 9), end to end against a fake API server that behaves like
/// kube-apiserver where it matters: list items without `kind`, `managedFields`, opaque resourceVersions,
/// 410 in both forms, expiring continue tokens and Event TTLs. Each test asserts the exact delivered set:
/// nothing lost, nothing twice.
@Suite("herald run: relists lose and repeat nothing", .serialized)
struct ClusterRecoveryTests {
    @Test(
        "410 Gone on the watch resume (as an ERROR event, then as HTTP 410): Events created in the gap are delivered once",
        arguments: [false, true])
    func goneRelistDeliversTheGap(asHTTPStatus: Bool) async throws {
        let harness = try await ClusterHarness.start()
        defer { Task { await harness.tearDown() } }
        try harness.createProvider()
        try harness.createAlert()
        try await harness.startHerald()
        try harness.createEvent(ClusterHarness.coreEvent(name: "e1", message: "e1"))
        #expect(try await harness.waitForDeliveries(1) == ["e1"])

        // The watch sees nothing from here: its queued lines are dropped with the connection.
        harness.api.stallWatches(true)
        try harness.createEvent(ClusterHarness.coreEvent(name: "gap1", message: "gap1"))
        try harness.createEvent(ClusterHarness.coreEvent(name: "gap2", message: "gap2"))
        harness.api.expireResourceVersions()
        harness.api.expiredAsHTTPStatus = asHTTPStatus
        harness.api.dropWatchConnections()
        harness.api.stallWatches(false)

        #expect(try await harness.waitForDeliveries(3) == ["e1", "gap1", "gap2"])
        #expect(!harness.logLines(containing: "relisting").isEmpty, "the resume answered 410 and Herald relisted")
        try harness.createEvent(ClusterHarness.coreEvent(name: "e2", message: "e2"))
        try await harness.expectDeliveredExactly(["e1", "gap1", "gap2", "e2"], "the relist repeats nothing")
    }

    @Test("a continue token that expires mid-list: the list restarts from the beginning, every Event once")
    func expiredContinueTokenRestartsTheList() async throws {
        let harness = try await ClusterHarness.start()
        defer { Task { await harness.tearDown() } }
        try harness.createProvider()
        try harness.createAlert()
        let arguments = ["--startup-grace", "0s", "--watermark-interval", "1s"]
        try await harness.startHerald(extraArguments: arguments)
        try harness.createEvent(ClusterHarness.coreEvent(name: "m-before", message: "before"))
        #expect(try await harness.waitForDeliveries(1) == ["before"])
        #expect(await harness.stopHerald() == 0)

        // More Events than one page (Herald lists 500 at a time), all handled long ago...
        for index in 0..<520 {
            let name = "m-old-\(String(index + 1000))"
            try harness.createEvent(ClusterHarness.coreEvent(name: name, message: name, lastTimestamp: ClusterHarness.timestamp(-600)))
        }
        // ...and three created while Herald was down, one on each side of the page boundary.
        let later = ClusterHarness.timestamp(1)
        try harness.createEvent(ClusterHarness.coreEvent(name: "a-down", message: "down a", lastTimestamp: later))
        try harness.createEvent(ClusterHarness.coreEvent(name: "m-old-1200x", message: "down m", lastTimestamp: later))
        try harness.createEvent(ClusterHarness.coreEvent(name: "z-down", message: "down z", lastTimestamp: later))
        harness.api.compactAfterNextListPage()
        harness.api.clearRequestLog()
        try await harness.startHerald(extraArguments: arguments)

        let delivered = try await harness.waitForDeliveries(4)
        try await Task.sleep(for: .seconds(1))
        let all = await harness.deliveredMessages()
        #expect(delivered.first == "before")
        #expect(Set(all.dropFirst()) == ["down a", "down m", "down z"])
        #expect(all.count == 4, "each Event once: \(all)")
        let listRequests = await harness.api.requestLog.filter { $0.path == "/api/v1/events" && !$0.uri.contains("watch=") }
        #expect(listRequests.count >= 3, "first page, the expired continue, and the list from the start again")
        #expect(listRequests.contains { $0.uri.contains("continue=") })
        #expect(harness.logLines(containing: "malformed Event").isEmpty)
    }

    @Test("an Event that matched no Alert when it happened is not delivered when a new Alert matches it and a relist shows it again")
    func handledWithoutMatchStaysHandled() async throws {
        let harness = try await ClusterHarness.start()
        defer { Task { await harness.tearDown() } }
        try harness.createProvider()
        try harness.createAlert()  // Kustomizations only
        try await harness.startHerald()
        try harness.createEvent(
            ClusterHarness.coreEvent(name: "unmatched", object: "podinfo", message: "git, no Alert yet", involvedKind: "GitRepository"))
        try harness.createEvent(ClusterHarness.coreEvent(name: "k1", message: "k1"))
        #expect(try await harness.waitForDeliveries(1) == ["k1"])

        try harness.createAlert(
            "git", extra: [("eventSources", [["kind": "GitRepository", "name": "*"]])])
        // Proof that the new Alert is in force: a new GitRepository Event is delivered.
        try await waitUntilDelivered(harness, ["k1", "git, live"]) {
            try harness.createEvent(
                ClusterHarness.coreEvent(
                    name: "git-live-\(UUID().uuidString.prefix(8).lowercased())", object: "podinfo", message: "git, live",
                    involvedKind: "GitRepository"))
        }

        // A relist (410 on resume) shows "unmatched" again: it was handled, so it stays undelivered.
        try harness.api.create(
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "bump", "namespace": "apps"]], group: "", version: "v1",
            resource: "configmaps", namespace: "apps")
        harness.api.expireResourceVersions()
        harness.api.dropWatchConnections()
        try harness.createEvent(ClusterHarness.coreEvent(name: "k2", message: "k2"))
        try await harness.expectDeliveredExactly(["k1", "git, live", "k2"])
        #expect(!harness.logLines(containing: "relisting").isEmpty)
    }

    @Test("Events the API server expires (TTL) leave as DELETED; later Events still flow, nothing repeats")
    func expiredEventsLeaveQuietly() async throws {
        let harness = try await ClusterHarness.start()
        defer { Task { await harness.tearDown() } }
        try harness.createProvider()
        try harness.createAlert()
        try await harness.startHerald()
        try harness.createEvent(ClusterHarness.coreEvent(name: "e1", message: "e1"))
        #expect(try await harness.waitForDeliveries(1) == ["e1"])
        #expect(harness.api.expireEvents(ttl: .zero) == 1)
        #expect(harness.api.list(group: "", version: "v1", resource: "events", namespace: "apps").isEmpty)
        try harness.createEvent(ClusterHarness.coreEvent(name: "e2", message: "e2"))
        try await harness.expectDeliveredExactly(["e1", "e2"])
    }

    @Test("an undecodable Event is counted and logged once, by name and field; the Events after it are delivered")
    func undecodableEventReportedOnce() async throws {
        let harness = try await ClusterHarness.start()
        defer { Task { await harness.tearDown() } }
        try harness.createProvider()
        try harness.createAlert()
        try harness.createEvent(ClusterHarness.coreEvent(name: "a-good", message: "a-good", lastTimestamp: ClusterHarness.timestamp(-5)))
        var bad = try #require(ClusterHarness.coreEvent(name: "b-bad", message: "bad").objectValue)
        bad["involvedObject"] = "webapp"
        try harness.createEvent(.object(bad))
        try harness.createEvent(ClusterHarness.coreEvent(name: "c-good", message: "c-good", lastTimestamp: ClusterHarness.timestamp(-5)))
        try await harness.startHerald()
        #expect(try await harness.waitForDeliveries(2) == ["a-good", "c-good"], "the list goes on after the bad item")

        harness.api.expireResourceVersions()
        harness.api.dropWatchConnections()
        try harness.createEvent(ClusterHarness.coreEvent(name: "d-good", message: "d-good"))
        #expect(try await harness.waitForDeliveries(3) == ["a-good", "c-good", "d-good"])
        let reports = harness.logLines(containing: "malformed Event dropped")
        #expect(reports.count == 1, "logged once, not again on the relist: \(reports)")
        #expect(reports.first?.contains("apps/b-bad") == true)
        #expect(reports.first?.contains("involvedObject: expected an object, got string") == true)
    }

    /// Repeats `action` until one more notification arrives (a new Alert takes effect a moment after it is
    /// created; the tries before that match nothing), then checks the messages.
    private func waitUntilDelivered(
        _ harness: ClusterHarness, _ expected: [String], action: () throws -> Void
    ) async throws {
        let before = await harness.deliveredMessages().count
        let deadline = Date().addingTimeInterval(15)
        tries: while Date() < deadline {
            try action()
            let settle = Date().addingTimeInterval(1)
            while Date() < settle {
                if await harness.deliveredMessages().count > before { break tries }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        #expect(await harness.deliveredMessages() == expected)
    }
}
