import HeraldJSON
import HeraldTestSupport
import Synchronization
import Testing

@testable import HeraldKube

/// Records what a reflector hands over, in order.
actor RecordingConsumer: ReflectorConsumer {
    var lists: [String] = []
    var pages: [[String]] = []
    var events: [(type: String, name: String)] = []

    func listStarted(reason: ListReason) { lists.append(reason.rawValue) }
    func listPage(_ items: [JSONValue]) { pages.append(items.compactMap { $0["metadata"]?["name"]?.stringValue }) }
    func listFinished(resourceVersion: String) {}
    func watchEvent(type: WatchEventType, object: JSONValue) {
        events.append((type.rawValue, object["metadata"]?["name"]?.stringValue ?? ""))
    }

    func eventNames() -> [String] { events.map(\.name) }
}

@Suite("Kubernetes client and reflector", .serialized)
struct ReflectorTests {
    static let secrets = ResourcePath(group: "", version: "v1", resource: "secrets", namespace: "apps")

    static func secret(_ name: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name), "namespace": "apps"], "stringData": ["k": "v"]]
    }

    func waitUntil(_ condition: @Sendable () async -> Bool) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while !(await condition()) {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met within 10 s")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Runs `body` with a reflector on Secrets in `apps` against a fresh fake API server (`prepare` runs
    /// before the reflector starts), then stops the reflector and shuts everything down, awaited.
    func withReflector(
        settings: Reflector.Settings = Reflector.Settings(), prepare: (FakeKubeAPIServer) throws -> Void = { _ in },
        _ body: (FakeKubeAPIServer, Reflector, RecordingConsumer) async throws -> Void
    ) async throws {
        let api = try await FakeKubeAPIServer.start()
        do {
            try prepare(api)
        } catch {
            try? await api.shutdown()
            throw error
        }
        let client = try KubeClient(config: KubeConfig(server: api.baseURL))
        let consumer = RecordingConsumer()
        let reflector = Reflector(client: client, path: Self.secrets, settings: settings, consumer: consumer, logger: .init(label: "test"))
        let task = Task { await reflector.run() }
        var failure: (any Error)?
        do {
            try await body(api, reflector, consumer)
        } catch {
            failure = error
        }
        task.cancel()
        await task.value
        await client.shutdown()
        try? await api.shutdown()
        if let failure { throw failure }
    }

    @Test("get, create, merge patch and typed Status errors")
    func verbs() async throws {
        let api = try await FakeKubeAPIServer.start()
        let client = try KubeClient(config: KubeConfig(server: api.baseURL))
        defer {
            Task {
                await client.shutdown()
                try? await api.shutdown()
            }
        }
        let created = try await client.create(Self.secrets, Self.secret("one"))
        #expect(created["metadata"]?["uid"]?.stringValue?.isEmpty == false)
        let patched = try await client.mergePatch(Self.secrets.named("one", namespace: "apps"), ["metadata": ["labels": ["a": "b"]]])
        #expect(patched["metadata"]?["labels"]?["a"] == "b")
        let metadata = try await client.get(Self.secrets.named("one", namespace: "apps"), metadataOnly: true)
        #expect(metadata["kind"] == "PartialObjectMetadata")
        await #expect(throws: KubeError.self) { try await client.get(Self.secrets.named("missing", namespace: "apps")) }
        do {
            _ = try await client.get(Self.secrets.named("missing", namespace: "apps"))
        } catch {
            #expect(error.isNotFound)
            if case .status(let code, let reason, _, _) = error {
                #expect(code == 404)
                #expect(reason == "NotFound")
            }
        }
        do {
            _ = try await client.create(Self.secrets, Self.secret("one"))
        } catch {
            #expect(error.code == 409)
        }
    }

    @Test("a list is read in pages with limit and continue; the watch resumes from the list's resourceVersion")
    func paginationThenWatch() async throws {
        try await withReflector(
            settings: .init(pageSize: 2, stallTimeout: .seconds(30)),
            prepare: { api in
                for index in 0..<5 {
                    try api.create(Self.secret("s\(index)"), group: "", version: "v1", resource: "secrets", namespace: "apps")
                }
            }
        ) { api, reflector, consumer in
            try await waitUntil { reflector.hasSynced }
            #expect(await consumer.pages == [["s0", "s1"], ["s2", "s3"], ["s4"]])
            try await api.waitForWatches(count: 1)
            try api.create(Self.secret("live"), group: "", version: "v1", resource: "secrets", namespace: "apps")
            try await waitUntil { await consumer.eventNames() == ["live"] }
            let lists = await api.requestLog.filter { $0.path == "/api/v1/namespaces/apps/secrets" && $0.query("watch") == nil }
            #expect(lists.map { $0.query("limit") } == ["2", "2", "2"])
            #expect(lists.dropFirst().allSatisfy { $0.query("continue") != nil })
            let watch = try #require(await api.requestLog.first { $0.query("watch") == "true" })
            #expect(watch.query("allowWatchBookmarks") == "true")
            #expect(Int(watch.query("timeoutSeconds") ?? "") ?? 0 >= 300)
        }
    }

    @Test("bookmarks move the resume point; a dropped stream resumes from it without replaying")
    func bookmarksAndResume() async throws {
        try await withReflector { api, reflector, consumer in
            try await api.waitForWatches(count: 1)
            // Writes elsewhere move the server's revision; a bookmark tells the watcher.
            try api.create(
                ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "other"]], group: "", version: "v1", resource: "namespaces",
                namespace: nil)
            api.sendBookmarks()
            let current = String(api.resourceVersion)
            try await waitUntil { reflector.resourceVersion == current }
            #expect(reflector.stats.bookmarks == 1)
            api.dropWatchConnections()
            try await api.waitForWatches(count: 1)
            try api.create(Self.secret("after"), group: "", version: "v1", resource: "secrets", namespace: "apps")
            try await waitUntil { await consumer.eventNames() == ["after"] }
            let watches = await api.requestLog.filter { $0.query("watch") == "true" }
            #expect(watches.last?.query("resourceVersion") == current)
            #expect(await consumer.lists == ["initial"], "a dropped stream is resumed, not relisted")
        }
    }

    @Test("410 Gone, as an ERROR event or as the HTTP status, relists", arguments: [false, true])
    func goneRelists(asHTTPStatus: Bool) async throws {
        try await withReflector(prepare: { $0.expiredAsHTTPStatus = asHTTPStatus }) { api, reflector, consumer in
            try await api.waitForWatches(count: 1)
            try api.create(Self.secret("a"), group: "", version: "v1", resource: "secrets", namespace: "apps")
            try await waitUntil { await consumer.eventNames() == ["a"] }
            // A write this watch does not see moves the revision past its resume point; compaction then
            // makes the resume point too old.
            try api.create(
                ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "elsewhere", "namespace": "other"]], group: "", version: "v1",
                resource: "secrets", namespace: "other")
            api.expireResourceVersions()
            api.dropWatchConnections()
            // listStarted comes before the page: wait for the relisted page itself.
            try await waitUntil {
                let lists = await consumer.lists
                let pages = await consumer.pages
                return lists == ["initial", "expired"] && pages.last == ["a"]
            }
            #expect(reflector.stats.relistsExpired == 1)
        }
    }

    @Test("a stream that sends nothing is abandoned after the stall timeout and reopened")
    func stallDetection() async throws {
        try await withReflector(settings: .init(stallTimeout: .milliseconds(600))) { api, reflector, consumer in
            try await api.waitForWatches(count: 1)
            api.stallWatches(true)
            try api.create(Self.secret("late"), group: "", version: "v1", resource: "secrets", namespace: "apps")
            try await waitUntil { reflector.stats.stalls >= 1 }
            api.stallWatches(false)
            try await waitUntil { await consumer.eventNames() == ["late"] }
        }
    }

    @Test("blank keep-alive lines and an event split across chunks reach the consumer as one event, nothing skipped")
    func blankLinesAndSplitFrames() async throws {
        try await withReflector { api, reflector, consumer in
            try await api.waitForWatches(count: 1)
            api.writeToWatches(Array("\n \r\n\t\n".utf8))
            let line =
                #"{"type":"ADDED","object":{"apiVersion":"v1","kind":"Secret","metadata":{"name":"split","namespace":"apps","resourceVersion":"9"}}}"#
            let bytes = Array(line.utf8)
            api.writeToWatches(Array(bytes[..<40]))
            try await Task.sleep(for: .milliseconds(50))
            api.writeToWatches(Array(bytes[40...]) + [UInt8(ascii: "\n")])
            try await waitUntil { await consumer.eventNames() == ["split"] }
            #expect(reflector.stats.skippedLines == 0, "blank lines are not malformed events")
            #expect(reflector.stats.events == 1)
        }
    }

    @Test("a line that is not JSON is skipped, not passed on")
    func malformedWatchLine() {
        if case .skipped = KubeClient.decodeWatchLine(.bytes(Array("not json".utf8))) {} else { Issue.record("malformed line not skipped") }
    }

    @Test("watch lines decode to typed events; an unknown type is skipped with its name, never passed on")
    func watchLineTypes() {
        for type in WatchEventType.allCases {
            let line = KubeClient.decodeWatchLine(.bytes(Array(#"{"type":"\#(type.rawValue)","object":{"kind":"Secret"}}"#.utf8)))
            guard case .event(let decodedType, let object) = line else {
                Issue.record("\(type) not decoded: \(line)")
                continue
            }
            #expect(decodedType == type)
            #expect(object["kind"]?.stringValue == "Secret")
        }
        let unknown = KubeClient.decodeWatchLine(.bytes(Array(#"{"type":"UPSERTED","object":{}}"#.utf8)))
        guard case .skipped(let reason) = unknown else {
            Issue.record("unknown type passed on: \(unknown)")
            return
        }
        #expect(reason == "unknown watch event type UPSERTED")
    }
}
