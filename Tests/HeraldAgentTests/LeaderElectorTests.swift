import HeraldJSON
import HeraldKube
import HeraldTestSupport
import Testing

@testable import HeraldAgent

/// Leadership is published as a stream of changes, so the Event intake and the ingest endpoint react
/// to a change when it happens instead of polling for it.
@Suite("Leader election as a stream", .timeLimit(.minutes(1)))
struct LeaderElectorTests {
    static let timing = LeaderElector.Timing(
        leaseDuration: .seconds(2), renewDeadline: .milliseconds(1500), retryPeriod: .milliseconds(100))

    /// Collects a stream's values into an array that a test can wait on.
    actor Changes {
        var values: [Bool] = []
        func append(_ value: Bool) { values.append(value) }
    }

    func waitUntil(_ what: String, _ condition: @Sendable () async -> Bool) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while !(await condition()) {
            guard ContinuousClock.now < deadline else {
                Issue.record("\(what) did not happen within 10 s")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test("a subscriber sees the current value, then each change once: false, true, false on release")
    func streamOfChanges() async throws {
        let api = try await FakeKubeAPIServer.start()
        let client = try KubeClient(config: KubeConfig(server: api.baseURL))
        let elector = LeaderElector(
            client: client, namespace: "flux-system", name: "herald", identity: "a", timing: Self.timing, logger: AgentFixtures.logger)
        let changes = Changes()
        let reader = Task {
            for await leading in elector.leadership() { await changes.append(leading) }
        }
        try await waitUntil("the first value") { await changes.values == [false] }

        let election = Task { await elector.run() }
        try await waitUntil("leadership") { await changes.values == [false, true] }
        // Renewals are not changes: nothing more arrives while this elector keeps the Lease.
        try await Task.sleep(for: .milliseconds(400))
        #expect(await changes.values == [false, true])
        #expect(elector.isLeader)

        election.cancel()
        await election.value
        await elector.releaseIfLeading()
        try await waitUntil("the release") { await changes.values == [false, true, false] }
        let lease = api.get(group: "coordination.k8s.io", version: "v1", resource: "leases", namespace: "flux-system", name: "herald")
        #expect(lease?["spec"]?["holderIdentity"]?.stringValue == "")

        reader.cancel()
        await reader.value
        await client.shutdown()
        try await api.shutdown()
    }

    @Test("waitForLeadership returns when a standby takes the released Lease, and waitForLoss when the leader releases it")
    func handOver() async throws {
        let api = try await FakeKubeAPIServer.start()
        let client = try KubeClient(config: KubeConfig(server: api.baseURL))
        let first = LeaderElector(
            client: client, namespace: "flux-system", name: "herald", identity: "first", timing: Self.timing, logger: AgentFixtures.logger)
        let second = LeaderElector(
            client: client, namespace: "flux-system", name: "herald", identity: "second", timing: Self.timing,
            logger: AgentFixtures.logger)
        let firstElection = Task { await first.run() }
        await first.waitForLeadership()
        #expect(first.isLeader)

        let secondElection = Task { await second.run() }
        let lossSeen = Task { await first.waitForLoss() }
        let takeoverSeen = Task { await second.waitForLeadership() }
        try await Task.sleep(for: .milliseconds(300))
        #expect(!second.isLeader, "a standby must not take a Lease that is being renewed")

        firstElection.cancel()
        await firstElection.value
        await first.releaseIfLeading()
        await lossSeen.value
        #expect(!first.isLeader)
        await takeoverSeen.value
        #expect(second.isLeader)
        let lease = api.get(group: "coordination.k8s.io", version: "v1", resource: "leases", namespace: "flux-system", name: "herald")
        #expect(lease?["spec"]?["holderIdentity"]?.stringValue == "second")

        secondElection.cancel()
        await secondElection.value
        await client.shutdown()
        try await api.shutdown()
    }

    @Test("a waiter cancelled while it waits returns, and its subscription is removed")
    func cancelledWaiter() async throws {
        let api = try await FakeKubeAPIServer.start()
        let client = try KubeClient(config: KubeConfig(server: api.baseURL))
        // Another holder keeps the Lease, so this elector runs and never leads.
        _ = try api.create(
            [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "herald", "namespace": "flux-system"],
                "spec": ["holderIdentity": "someone-else", "leaseDurationSeconds": 3600, "renewTime": "2099-01-01T00:00:00.000000Z"],
            ], group: "coordination.k8s.io", version: "v1", resource: "leases", namespace: "flux-system")
        let elector = LeaderElector(
            client: client, namespace: "flux-system", name: "herald", identity: "idle", timing: Self.timing, logger: AgentFixtures.logger)
        let election = Task { await elector.run() }
        let waiter = Task { await elector.waitForLeadership() }
        try await waitUntil("the waiter's subscription") { elector.subscriberCount == 1 }
        try await Task.sleep(for: .milliseconds(300))
        #expect(!elector.isLeader, "the Lease is held by another identity")
        waiter.cancel()
        await waiter.value
        try await waitUntil("the subscription's removal") { elector.subscriberCount == 0 }
        election.cancel()
        await election.value
        await client.shutdown()
        try await api.shutdown()
    }
}
