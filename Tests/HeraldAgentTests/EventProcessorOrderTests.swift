import HeraldCore
import HeraldJSON
import HeraldKube
import HeraldTestSupport
import Testing

@testable import HeraldAgent

/// Events are routed in arrival order with the newest snapshot, whatever a label read or a snapshot
/// update does meanwhile.
@Suite("Event processor ordering")
struct EventProcessorOrderTests {
    static let kustomizations = FakeResourceType(
        group: "kustomize.toolkit.fluxcd.io", versions: ["v1"], resource: "kustomizations", kind: "Kustomization", namespaced: true,
        statusSubresource: true)

    static func event(_ object: String, message: String) -> DecodedEvent {
        .event(
            Event(
                involvedObject: ObjectReference(
                    kind: "Kustomization", namespace: "apps", name: object, apiVersion: "kustomize.toolkit.fluxcd.io/v1"),
                severity: "info", timestamp: FluxTimestamp(secondsSinceEpoch: 1_764_000_000), message: message, reason: "Progressing",
                metadata: [:], reportingController: "kustomize-controller", reportingInstance: ""),
            origin: .flux)
    }

    static func snapshot(address: String, number: Int, matchLabels: [String: String]? = nil) -> RoutingSnapshot {
        let alert = Alert(
            meta: ObjectMeta(key: ObjectKey(namespace: "apps", name: "all")), providerName: "hook",
            eventSources: [EventSource(kind: "Kustomization", name: "*", matchLabels: matchLabels)])
        let provider = Provider(meta: ObjectMeta(key: ObjectKey(namespace: "apps", name: "hook")), type: .generic, address: address)
        var snapshot = RoutingSnapshot(alerts: [alert], providers: [provider], secrets: [:], labels: NoLabels())
        snapshot.number = number
        return snapshot
    }

    @Test("an event waiting for a slow label read is not overtaken by the event after it")
    func labelFetchKeepsOrder() async throws {
        let api = try await FakeKubeAPIServer.start()
        let recorder = try await WebhookRecorder.start()
        api.register(Self.kustomizations)
        for name in ["slow", "fast"] {
            try api.create(
                [
                    "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                    "metadata": ["name": .string(name), "namespace": "apps", "labels": ["team": "web"]], "spec": [:],
                ], group: "kustomize.toolkit.fluxcd.io", version: "v1", resource: "kustomizations", namespace: "apps")
        }
        let slowPath = "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/apps/kustomizations/slow"
        api.delayResponses(to: slowPath, by: .milliseconds(600))
        let client = try KubeClient(config: KubeConfig(server: api.baseURL))
        let transport = HTTPTransport()
        let dispatcher = Dispatcher(deliverer: Deliverer(transport: transport), logger: AgentFixtures.logger)
        let workers = Task { await dispatcher.run() }
        let processor = EventProcessor(
            pipeline: EventPipeline(
                snapshot: Self.snapshot(address: recorder.baseURL + "/hook", number: 1, matchLabels: ["team": "web"]),
                options: RoutingOptions(), rateLimiter: EventRateLimiter()),
            dispatcher: dispatcher, labels: ClusterLabels(client: client, logger: AgentFixtures.logger),
            observer: DecisionLog(logger: AgentFixtures.logger))

        let first = Task { await processor.process(Self.event("slow", message: "first")) }
        // The second event arrives while the first waits for its labels.
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while await !api.requestLog.contains(where: { $0.path == slowPath }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        let second = await processor.process(Self.event("fast", message: "second"))
        #expect(await first.value == .routed)
        #expect(second == .routed)

        let delivered = try await recorder.waitForRequests(count: 2)
        #expect(delivered.map { $0.bodyJSON?["message"]?.stringValue } == ["first", "second"])

        await dispatcher.finish()
        await workers.value
        await transport.shutdown()
        await client.shutdown()
        try await recorder.shutdown()
        try await api.shutdown()
    }

    @Test("snapshot updates racing an event flood: no event is routed with an older snapshot than one already used")
    func snapshotsNeverGoBack() async throws {
        let dispatcher = Dispatcher(deliverer: Deliverer(transport: HTTPTransport()), logger: AgentFixtures.logger)
        let processor = EventProcessor(
            pipeline: EventPipeline(
                snapshot: Self.snapshot(address: "http://127.0.0.1:9/", number: 0), options: RoutingOptions(),
                rateLimiter: EventRateLimiter()),
            dispatcher: dispatcher, labels: nil, observer: DecisionLog(logger: AgentFixtures.logger))
        // Snapshots arrive out of order from many tasks, as interleaved rebuilds would publish them.
        let numbers = Array(1...300).shuffled()
        let updates = Task {
            await withTaskGroup(of: Void.self) { group in
                for number in numbers {
                    group.addTask { await processor.update(snapshot: Self.snapshot(address: "http://127.0.0.1:9/", number: number)) }
                }
            }
        }
        var used: [Int] = []
        for index in 0..<300 {
            used.append(await processor.processInTurn(Self.event("webapp", message: "event \(index)"), origin: .file).snapshotNumber)
        }
        await updates.value
        #expect(used == used.sorted(), "snapshot numbers used, in event order: \(used)")
        #expect(await processor.snapshot.number == 300)
        #expect(await processor.update(snapshot: Self.snapshot(address: "http://127.0.0.1:9/", number: 7)) == false)
        await dispatcher.finish()
    }
}

/// When a Provider's `LastDelivery` condition is written: on a change of result, at most once per interval.
@Suite("Delivery status throttle")
struct DeliveryStatusTests {
    let key = ObjectKey(namespace: "apps", name: "hook")
    static let ok = DeliveryResult(.delivered(status: 200, attempts: 1))!
    static let unauthorized = DeliveryResult(.failed(DeliveryFailure(message: "request failed with status code 401", status: 401)))!
    static let timeout = DeliveryResult(.failed(DeliveryFailure(message: "timed out", kind: .timeout)))!

    @Test("reasons come from the failure kind, not its message")
    func reasons() {
        #expect(Self.ok.reason == "Succeeded" && Self.ok.succeeded)
        #expect(Self.unauthorized.reason == "HTTP401" && !Self.unauthorized.succeeded)
        #expect(Self.timeout.reason == "Timeout")
        #expect(DeliveryResult(.failed(DeliveryFailure(message: "x", kind: .tls)))?.reason == "TLSError")
        #expect(DeliveryResult(.failed(DeliveryFailure(message: "shutting down", kind: .notAttempted))) == nil)
        #expect(DeliveryResult(.skipped(reason: "no commit")) == nil)
    }

    @Test("a failure's condition says the status code, not the receiver's response body (issue 21)")
    func noResponseBodyInCondition() throws {
        let failure = DeliveryFailure(
            message: "request failed with status code 500", status: 500, excerpt: "internal secret: db-password=hunter2")
        let result = try #require(DeliveryResult(.failed(failure)))
        #expect(result.message == "request failed with status code 500")
        #expect(result.reason == "HTTP500")
    }

    @Test("the first result is written; the same result again is not; a change is written at once after the interval")
    func changesOnly() {
        var status = DeliveryStatus(interval: .seconds(30))
        let start = ContinuousClock.now
        #expect(status.record(key, Self.ok, now: start) == .writeNow(previous: nil))
        #expect(status.record(key, Self.ok, now: start.advanced(by: .seconds(1))) == .nothing)
        #expect(status.record(key, Self.unauthorized, now: start.advanced(by: .seconds(31))) == .writeNow(previous: Self.ok))
        #expect(status.record(key, Self.unauthorized, now: start.advanced(by: .seconds(90))) == .nothing)
    }

    @Test("changes within the interval are held, and only the newest is written when it ends")
    func throttled() {
        var status = DeliveryStatus(interval: .seconds(30))
        let start = ContinuousClock.now
        _ = status.record(key, Self.ok, now: start)
        #expect(status.record(key, Self.unauthorized, now: start.advanced(by: .seconds(10))) == .flush(after: .seconds(20)))
        #expect(status.record(key, Self.timeout, now: start.advanced(by: .seconds(11))) == .nothing, "one flush is scheduled")
        let pending = status.takePending(key, now: start.advanced(by: .seconds(30)))
        #expect(pending?.0 == Self.timeout)
        #expect(pending?.1 == Self.ok)
        #expect(status.takePending(key, now: start.advanced(by: .seconds(31))) == nil)
    }

    @Test("a flap that returns to the written result within the interval writes nothing")
    func flapBack() {
        var status = DeliveryStatus(interval: .seconds(30))
        let start = ContinuousClock.now
        _ = status.record(key, Self.ok, now: start)
        _ = status.record(key, Self.unauthorized, now: start.advanced(by: .seconds(5)))
        #expect(status.record(key, Self.ok, now: start.advanced(by: .seconds(6))) == .nothing)
        #expect(status.takePending(key, now: start.advanced(by: .seconds(30))) == nil)
    }

    @Test("after a restart, the condition already on the Provider is not written again")
    func seeded() {
        var status = DeliveryStatus(interval: .seconds(30))
        status.seed(key, from: ["type": "LastDelivery", "status": "False", "reason": "HTTP401", "message": "old"])
        #expect(status.record(key, Self.unauthorized, now: .now) == .nothing)
        #expect(
            status.record(key, Self.ok, now: .now)
                == .writeNow(previous: DeliveryResult(succeeded: false, reason: "HTTP401", message: "old")))
    }
}
