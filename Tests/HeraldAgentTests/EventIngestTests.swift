import HeraldAgent
import HeraldCore
import HeraldJSON
import HeraldTestSupport
import Testing

/// The Flux-compatible endpoint: every status code of reference §3.1/§7.2, and one delivery for an
/// occurrence that arrives both on the Event watch and over HTTP.
@Suite("Event ingest endpoint")
struct EventIngestTests {
    struct Running {
        let recorder: WebhookRecorder
        let processor: EventProcessor
        let server: EventIngestServer
        let tasks: [Task<Void, Never>]
        let transport: HTTPTransport

        var url: String { "http://127.0.0.1:\(server.boundPort ?? 0)/" }

        func stop() async {
            for task in tasks { task.cancel() }
            await transport.shutdown()
            try? await recorder.shutdown()
        }
    }

    func start(limits: IngestLimits = IngestLimits()) async throws -> Running {
        let recorder = try await WebhookRecorder.start()
        let alert = Alert(
            meta: ObjectMeta(key: ObjectKey(namespace: "apps", name: "all")), providerName: "hook",
            eventSources: [EventSource(kind: "Kustomization", name: "*")])
        let provider = Provider(
            meta: ObjectMeta(key: ObjectKey(namespace: "apps", name: "hook")), type: .generic, address: recorder.baseURL + "/hook")
        let snapshot = RoutingSnapshot(alerts: [alert], providers: [provider], secrets: [:], labels: NoLabels())
        let transport = HTTPTransport()
        let dispatcher = Dispatcher(deliverer: Deliverer(transport: transport), logger: AgentFixtures.logger)
        let processor = EventProcessor(
            pipeline: EventPipeline(snapshot: snapshot, options: RoutingOptions(), rateLimiter: EventRateLimiter()), dispatcher: dispatcher,
            labels: nil, observer: DecisionLog(logger: AgentFixtures.logger))
        let server = try EventIngestServer(address: "127.0.0.1:0", limits: limits, logger: AgentFixtures.logger)
        let serverTask = Task { _ = try? await server.feed(processor) }
        let workers = Task { await dispatcher.run() }
        // A deadline, not a wait: it only matters when the machine is slow (sanitizers, parallel load).
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while server.boundPort == nil && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        guard server.boundPort != nil else { throw TestSupportError.noLocalPort(server: "EventIngestServer") }
        return Running(recorder: recorder, processor: processor, server: server, tasks: [serverTask, workers], transport: transport)
    }

    static func fluxEvent(message: String, padTo size: Int? = nil) -> [UInt8] {
        var event: JSONValue = [
            "involvedObject": [
                "kind": "Kustomization", "namespace": "apps", "name": "webapp", "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            ],
            "severity": "info", "timestamp": "2026-11-25T10:00:00Z", "message": .string(message), "reason": "ReconciliationSucceeded",
            "metadata": ["kustomize.toolkit.fluxcd.io/revision": "main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1"],
            "reportingController": "kustomize-controller", "reportingInstance": "kustomize-controller-7c7b47f5f-8bhrp",
        ]
        if let size {
            let base = JSONWriter.bytes(event).count
            event = .object(
                JSONObject(
                    event.objectValue?.members.map {
                        ($0.key, $0.key == "message" ? .string(message + String(repeating: "x", count: size - base)) : $0.value)
                    } ?? []))
        }
        return JSONWriter.bytes(event)
    }

    func post(_ running: Running, _ body: [UInt8], path: String = "") async throws -> ProviderResponse {
        try await running.transport.send(
            OutgoingRequest(url: running.url + path, headers: [HTTPHeaderField("Content-Type", "application/json")], body: body),
            options: TransportOptions(), deadline: .now.advanced(by: .seconds(10)))
    }

    @Test("202 for an event, on any path; 429 with rate-limit headers for its duplicate; 202 again for a new message")
    func acceptedThenDuplicate() async throws {
        let running = try await start()
        let first = try await post(running, Self.fluxEvent(message: "applied"))
        #expect(first.status == 202)
        #expect(first.body.isEmpty)
        #expect(first.header("X-RateLimit-Limit") == "1")
        let duplicate = try await post(running, Self.fluxEvent(message: "applied"), path: "any/path")
        #expect(duplicate.status == 429)
        #expect(String(decoding: duplicate.body, as: UTF8.self) == "Too Many Requests\n")
        #expect(duplicate.header("X-RateLimit-Remaining") == "0")
        let reset = try #require(duplicate.header("Retry-After"))
        #expect(reset.hasSuffix(" GMT"))
        #expect(duplicate.header("X-RateLimit-Reset") == reset)
        #expect(try await post(running, Self.fluxEvent(message: "changed")).status == 202)
        let delivered = try await running.recorder.waitForRequests(count: 2)
        #expect(delivered.compactMap { $0.bodyJSON?["message"]?.stringValue } == ["applied", "changed"])
        #expect(
            delivered.first?.bodyJSON?["reportingInstance"] == "kustomize-controller-7c7b47f5f-8bhrp", "the HTTP path keeps the pod name")
        await running.stop()
    }

    @Test("400 for a body that is not a Flux event")
    func badRequests() async throws {
        let running = try await start()
        #expect(try await post(running, Array("{not json".utf8)).status == 400)
        #expect(try await post(running, Array("[1,2]".utf8)).status == 400)
        #expect(try await post(running, Array(#"{"involvedObject":{"kind":1}}"#.utf8)).status == 400)
        #expect(await running.recorder.requests().isEmpty)
        await running.stop()
    }

    @Test("exactly 3 MiB is accepted; one byte more is 413")
    func bodyLimit() async throws {
        let running = try await start()
        let exact = Self.fluxEvent(message: "big", padTo: EventIngestServer.maximumBodyBytes)
        #expect(exact.count == 3_145_728)
        #expect(try await post(running, exact).status == 202)
        let over = Self.fluxEvent(message: "bigger", padTo: EventIngestServer.maximumBodyBytes + 1)
        #expect(try await post(running, over).status == 413)
        await running.stop()
    }

    @Test("an occurrence seen on the Event watch and then POSTed is delivered once")
    func dualIntakeDeliversOnce() async throws {
        let running = try await start()
        let watched: JSONValue = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": [
                "name": "webapp.1", "namespace": "apps", "uid": "u1",
                "annotations": ["kustomize.toolkit.fluxcd.io/revision": "main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1"],
            ],
            "involvedObject": [
                "kind": "Kustomization", "namespace": "apps", "name": "webapp", "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            ],
            "type": "Normal", "reason": "ReconciliationSucceeded", "message": "applied", "source": ["component": "kustomize-controller"],
            "lastTimestamp": "2026-11-25T10:00:00Z", "count": 1,
        ]
        let disposition = await running.processor.process(try EventDecoder.decode(watched, filter: EventFilter()))
        #expect(disposition == .routed)
        #expect(try await post(running, Self.fluxEvent(message: "applied")).status == 429)
        #expect(try await running.recorder.waitForRequests(count: 1).count == 1)
        try await Task.sleep(for: .milliseconds(200))
        #expect(await running.recorder.requests().count == 1)
        await running.stop()
    }
}
