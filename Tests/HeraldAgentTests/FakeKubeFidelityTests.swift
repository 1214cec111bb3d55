import Foundation
import HeraldJSON
import HeraldTestSupport
import NIOHTTP1
import Testing

/// Where `FakeKubeAPIServer` must behave like kube-apiserver because clients depend on it (issue 9:
/// Events from a relist were dropped because the fake put `kind` on list items and a real apiserver does
/// not). Each answer is compared with a real apiserver's response of the same shape, kept as a fixture
/// in `Tests/HeraldTestSupport/Fixtures/apiserver` (typed from the Kubernetes API reference; see its README).
@Suite struct FakeKubeFidelityTests {
    /// The core/v1 Event a Flux controller's (old) recorder POSTs: no `eventTime`, no `reportingInstance`.
    static let recordedEvent: JSONValue = [
        "apiVersion": "v1", "kind": "Event",
        "metadata": [
            "name": "webapp.187e2a9c3d4b5f601", "namespace": "flux-system",
            "annotations": ["kustomize.toolkit.fluxcd.io/revision": "main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1"],
        ],
        "involvedObject": [
            "kind": "Kustomization", "namespace": "flux-system", "name": "webapp", "uid": "7d0cdc51-ddcf-4743-b223-83ca5c699632",
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "resourceVersion": "81234",
        ],
        "reason": "ReconciliationSucceeded", "message": "Reconciliation finished in 1.2s, next run in 10m0s",
        "source": ["component": "kustomize-controller"], "firstTimestamp": "2026-12-05T05:44:24Z",
        "lastTimestamp": "2026-12-05T05:44:24Z", "count": 1, "type": "Normal", "reportingComponent": "kustomize-controller",
    ]

    static let userAgent = [("User-Agent", "kustomize-controller/v1.4.0 (linux/amd64) kubernetes/$Format")]

    @Test("a list of a built-in type: TypeMeta on the list only, managedFields and Go zero values on every item")
    func eventListMatchesTheRealShape() async throws {
        try await withFakeKube { server, client in
            let created = try await client.send(
                .POST, "/api/v1/namespaces/flux-system/events", json: Self.recordedEvent, headers: Self.userAgent)
            #expect(created.status == 201)
            var second = try #require(Self.recordedEvent.objectValue)
            second["metadata"] = ["name": "webapp.187e2a9c3d4b5f602", "namespace": "flux-system", "annotations": ["a": "b"]]
            _ = try await client.send(.POST, "/api/v1/namespaces/flux-system/events", json: .object(second), headers: Self.userAgent)

            let list = try await client.send(.GET, "/api/v1/namespaces/flux-system/events?limit=1")
            let fixture = try Self.fixture("event-list")
            #expect(Self.shapeDifferences(try #require(list.json), fixture) == [])
            let item = try #require(list.json?["items"]?.arrayValue?.first)
            #expect(item["kind"] == nil, "a real apiserver leaves kind out of list items")
            #expect(item["eventTime"] == .null, "a zero MicroTime is written as null")
            #expect(item["reportingInstance"] == "", "a string without omitempty is written empty")
            let managed = try #require(item["metadata"]?["managedFields"]?.arrayValue?.first)
            #expect(managed["manager"] == "kustomize-controller", "the manager is the first word of the User-Agent")
            #expect(managed["fieldsV1"]?["f:metadata"]?["f:annotations"]?["."] == .object(JSONObject()))
        }
    }

    @Test("a custom resource list keeps kind and apiVersion on its items, as unstructured objects do")
    func customResourceListItemsKeepTypeMeta() async throws {
        try await withFakeKube { server, client in
            server.register(
                FakeResourceType(
                    group: "notification.toolkit.fluxcd.io", versions: ["v1beta3"], resource: "alerts", kind: "Alert", namespaced: true,
                    statusSubresource: false))
            try server.create(
                [
                    "apiVersion": "notification.toolkit.fluxcd.io/v1beta3", "kind": "Alert",
                    "metadata": ["name": "a", "namespace": "apps"],
                    "spec": ["providerRef": ["name": "p"]],
                ], group: "notification.toolkit.fluxcd.io", version: "v1beta3", resource: "alerts", namespace: "apps")
            let list = try await client.send(.GET, "/apis/notification.toolkit.fluxcd.io/v1beta3/alerts")
            let item = try #require(list.json?["items"]?.arrayValue?.first)
            #expect(item["kind"] == "Alert")
            #expect(item["apiVersion"] == "notification.toolkit.fluxcd.io/v1beta3")
            #expect(item["metadata"]?["managedFields"]?.arrayValue?.count == 1)
        }
    }

    @Test("watch objects carry kind and apiVersion; the ADDED line has the real shape")
    func watchLineMatchesTheRealShape() async throws {
        try await withFakeKube { server, client in
            let listed = try await client.send(.GET, "/api/v1/namespaces/flux-system/events")
            let listRV = try #require(listed.json?["metadata"]?["resourceVersion"]?.stringValue)
            let watch = try await client.watch("/api/v1/namespaces/flux-system/events?watch=true&resourceVersion=\(listRV)")
            defer { watch.cancel() }
            _ = try await client.send(.POST, "/api/v1/namespaces/flux-system/events", json: Self.recordedEvent, headers: Self.userAgent)
            let added = try await watch.next()
            #expect(Self.shapeDifferences(added, try Self.fixture("event-watch-added")) == [])
        }
    }

    @Test("a core/v1 Event written by the new recorder: MicroTime eventTime, null first and last timestamps")
    func microTimeEvent() async throws {
        try await withFakeKube { server, client in
            var event = try #require(try Self.fixture("event-microtime").objectValue)
            event["metadata"] = ["name": "webapp.187e2a9c3d4b5f602", "namespace": "flux-system"]
            for key in ["firstTimestamp", "lastTimestamp", "source"] { event[key] = nil }
            let created = try await client.send(
                .POST, "/api/v1/namespaces/flux-system/events", json: .object(event),
                headers: [("User-Agent", "helm-controller/v1.1.0")])
            #expect(created.status == 201)
            let got = try await client.send(.GET, "/api/v1/namespaces/flux-system/events/webapp.187e2a9c3d4b5f602")
            #expect(Self.shapeDifferences(try #require(got.json), try Self.fixture("event-microtime")) == [])
            #expect(got.json?["eventTime"] == "2026-12-05T05:44:24.123456Z")
            #expect(got.json?["firstTimestamp"] == .null)
        }
    }

    @Test("BOOKMARK carries only kind, apiVersion and metadata.resourceVersion")
    func bookmarkShape() async throws {
        try await withFakeKube { server, client in
            let watch = try await client.watch(
                "/api/v1/namespaces/flux-system/events?watch=true&resourceVersion=1&allowWatchBookmarks=true")
            defer { watch.cancel() }
            try await server.waitForWatches(count: 1)
            server.sendBookmarks()
            #expect(Self.shapeDifferences(try await watch.next(), try Self.fixture("watch-bookmark")) == [])
        }
    }

    @Test("410 Expired in both forms: an ERROR line on a 200 watch, or a plain HTTP 410")
    func expiredShapes() async throws {
        try await withFakeKube { server, client in
            try server.create(Self.recordedEvent, group: "", version: "v1", resource: "events", namespace: "flux-system")
            let old = server.resourceVersionString
            try server.create(
                ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "namespace": "apps"]], group: "", version: "v1",
                resource: "configmaps", namespace: "apps")
            server.expireResourceVersions()
            let watch = try await client.watch("/api/v1/namespaces/flux-system/events?watch=true&resourceVersion=\(old)")
            #expect(watch.status == 200)
            #expect(Self.shapeDifferences(try await watch.next(), try Self.fixture("watch-error-expired")) == [])
            server.expiredAsHTTPStatus = true
            let plain = try await client.send(.GET, "/api/v1/namespaces/flux-system/events?watch=true&resourceVersion=\(old)")
            #expect(plain.status == 410)
            let fixture = try Self.fixture("watch-error-expired")["object"] ?? .null
            #expect(Self.shapeDifferences(try #require(plain.json), fixture) == [])
        }
    }

    @Test("a continue token that outlives a compaction is 410 Expired; a list from the start then works")
    func expiredContinueToken() async throws {
        try await withFakeKube { server, client in
            for index in 1...3 {
                var event = try #require(Self.recordedEvent.objectValue)
                event["metadata"] = ["name": .string("e\(index)"), "namespace": "flux-system"]
                try server.create(.object(event), group: "", version: "v1", resource: "events", namespace: "flux-system")
            }
            server.compactAfterNextListPage()
            let first = try await client.send(.GET, "/api/v1/namespaces/flux-system/events?limit=2")
            #expect(first.status == 200)
            let token = try #require(first.json?["metadata"]?["continue"]?.stringValue)
            let next = try await client.send(.GET, "/api/v1/namespaces/flux-system/events?limit=2&continue=\(token)")
            #expect(next.status == 410)
            #expect(next.json?["reason"] == "Expired")
            #expect(Self.shapeDifferences(try #require(next.json), try Self.fixture("list-continue-expired")) == [])
            #expect(next.json?["message"] == (try Self.fixture("list-continue-expired"))["message"])

            let again = try await client.send(.GET, "/api/v1/namespaces/flux-system/events?limit=2")
            let rest = try await client.send(
                .GET,
                "/api/v1/namespaces/flux-system/events?limit=2&continue=\(try #require(again.json?["metadata"]?["continue"]?.stringValue))")
            #expect(rest.status == 200)
            let listRV = try #require(again.json?["metadata"]?["resourceVersion"]?.stringValue)
            let watch = try await client.watch("/api/v1/namespaces/flux-system/events?watch=true&resourceVersion=\(listRV)")
            defer { watch.cancel() }
            try await server.waitForWatches(count: 1)
            #expect(watch.status == 200, "the restarted list's resourceVersion is still watchable")
            #expect(await watch.nothingArrives(for: .milliseconds(200)))
        }
    }

    @Test("a Lease update with a stale resourceVersion is 409 Conflict with the real Status")
    func leaseConflict() async throws {
        try await withFakeKube { server, client in
            let lease: JSONValue = [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "herald", "namespace": "default"],
                "spec": ["holderIdentity": "a"],
            ]
            let created = try await client.send(.POST, "/apis/coordination.k8s.io/v1/namespaces/default/leases", json: lease)
            let stale = try #require(created.json)
            let path = "/apis/coordination.k8s.io/v1/namespaces/default/leases/herald"
            let renewed = try await client.send(.PUT, path, json: stale.settingSpec("holderIdentity", "b"))
            #expect(renewed.status == 200)
            let conflict = try await client.send(.PUT, path, json: stale.settingSpec("holderIdentity", "c"))
            #expect(conflict.status == 409)
            #expect(conflict.json == (try Self.fixture("lease-conflict")))
        }
    }

    @Test("PartialObjectMetadata only when Accept asks for it; the full object otherwise")
    func partialMetadataOnlyWhenAsked() async throws {
        try await withFakeKube { server, client in
            let configMap: JSONValue = [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": ["name": "webapp-config", "namespace": "apps", "labels": ["app": "webapp"]], "data": ["mode": "fast"],
            ]
            _ = try await client.send(
                .POST, "/api/v1/namespaces/apps/configmaps", json: configMap, headers: [("User-Agent", "kubectl/v1.32.0")])
            let path = "/api/v1/namespaces/apps/configmaps/webapp-config"
            let partial = try await client.send(
                .GET, path, headers: [("Accept", "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1")])
            #expect(Self.shapeDifferences(try #require(partial.json), try Self.fixture("configmap-partial-metadata")) == [])
            let full = try await client.send(.GET, path)
            #expect(full.json?["kind"] == "ConfigMap")
            #expect(full.json?["data"]?["mode"] == "fast")
            let plainJSON = try await client.send(.GET, path, headers: [("Accept", "application/json")])
            #expect(plainJSON.json?["kind"] == "ConfigMap")
        }
    }

    @Test("opaque resourceVersions: not numbers, and a watch resumes from exactly the string it was given")
    func opaqueResourceVersions() async throws {
        try await withFakeKube(resourceVersions: .opaque) { server, client in
            try server.create(Self.recordedEvent, group: "", version: "v1", resource: "events", namespace: "flux-system")
            let list = try await client.send(.GET, "/api/v1/namespaces/flux-system/events")
            let listRV = try #require(list.json?["metadata"]?["resourceVersion"]?.stringValue)
            #expect(Int(listRV) == nil, "\(listRV) must not parse as a number")
            #expect(listRV == server.resourceVersionString)
            let watch = try await client.watch("/api/v1/namespaces/flux-system/events?watch=true&resourceVersion=\(listRV)")
            defer { watch.cancel() }
            try await server.waitForWatches(count: 1)
            var second = try #require(Self.recordedEvent.objectValue)
            second["metadata"] = ["name": "second", "namespace": "flux-system"]
            try server.create(.object(second), group: "", version: "v1", resource: "events", namespace: "flux-system")
            let added = try await watch.next()
            #expect(added["object"]?["metadata"]?["name"] == "second")
            #expect(added["object"]?["metadata"]?["resourceVersion"]?.stringValue == server.resourceVersionString)
            let bogus = try await client.send(.GET, "/api/v1/namespaces/flux-system/events?watch=true&resourceVersion=12")
            #expect(bogus.status == 400, "a number this server never wrote is not a resourceVersion")
        }
    }

    @Test("Events expire after their TTL: a DELETED on the watch, and gone from the next list")
    func eventTTL() async throws {
        try await withFakeKube { server, client in
            try server.create(Self.recordedEvent, group: "", version: "v1", resource: "events", namespace: "flux-system")
            let list = try await client.send(.GET, "/api/v1/namespaces/flux-system/events")
            let listRV = try #require(list.json?["metadata"]?["resourceVersion"]?.stringValue)
            let watch = try await client.watch("/api/v1/namespaces/flux-system/events?watch=true&resourceVersion=\(listRV)")
            defer { watch.cancel() }
            try await server.waitForWatches(count: 1)
            #expect(server.expireEvents(ttl: .seconds(3600)) == 0, "nothing is an hour old yet")
            try await Task.sleep(for: .milliseconds(50))
            #expect(server.expireEvents(ttl: .milliseconds(10)) == 1)
            let deleted = try await watch.next()
            #expect(deleted["type"] == "DELETED")
            #expect(deleted["object"]?["metadata"]?["name"] == "webapp.187e2a9c3d4b5f601")
            let after = try await client.send(.GET, "/api/v1/namespaces/flux-system/events")
            #expect(after.json?["items"]?.arrayValue?.isEmpty == true)
        }
    }

    // MARK: The official Python client

    static let pythonClientAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import kubernetes"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    @Test(
        "the official Python client lists (paginated), reads, watches and meets a 409, with its typed models",
        .enabled(if: pythonClientAvailable, "the Python kubernetes package is not installed (CI: pip install kubernetes)"))
    func pythonKubernetesClient() async throws {
        try await withFakeKube { server, _ in
            for name in ["e1", "e2"] {
                var event = try #require(Self.recordedEvent.objectValue)
                event["metadata"] = ["name": .string(name), "namespace": "flux-system"]
                try server.create(.object(event), group: "", version: "v1", resource: "events", namespace: "flux-system")
            }
            var micro = try #require(try Self.fixture("event-microtime").objectValue)
            micro["metadata"] = ["name": "helm-upgrade", "namespace": "flux-system"]
            try server.create(.object(micro), group: "", version: "v1", resource: "events", namespace: "flux-system")

            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("python-kube-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let kubeconfig = directory.appendingPathComponent("kubeconfig").path
            try server.kubeconfig(token: nil, clientCertificate: false).write(toFile: kubeconfig, atomically: true, encoding: .utf8)
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "Peers/python_kubernetes_client.py")

            let output = try await Self.run(["python3", script.path, kubeconfig], in: directory)
            #expect(output.status == 0, "\(output.error)")
            let result = try JSONParser.parse(Array(output.text.utf8))
            #expect(result["first_page"] == ["e1"])
            #expect(result["continue"] == true)
            #expect(result["second_page"] == ["e2"])
            #expect(result["involved_kind"] == "Kustomization")
            #expect(result["event_time"] == .null)
            #expect(result["managed_by"] == ["fake-kube-test"])
            #expect(result["micro_event_time"] == "2026-12-05T05:44:24.123456+00:00")
            #expect(result["watched"] == [["ADDED", "e1"], ["ADDED", "e2"], ["ADDED", "helm-upgrade"]])
            #expect(result["stale_update"] == 409)
            #expect(result["stale_reason"] == "Conflict")
        }
    }

    /// Runs a command on a thread of its own (it blocks): its exit status, standard output, and standard
    /// error (collected in a file, so a chatty stderr cannot block the process while stdout is read).
    static func run(_ arguments: [String], in directory: URL) async throws -> (status: Int32, text: String, error: String) {
        let errorFile = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let errorHandle = try FileHandle(forWritingTo: errorFile)
        defer { try? errorHandle.close() }
        let (status, text) = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<(Int32, String), any Error>) in
            Thread.detachNewThread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = arguments
                let output = Pipe()
                process.standardOutput = output
                process.standardError = errorHandle
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                let text = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, String(decoding: text, as: UTF8.self)))
            }
        }
        return (status, text, (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")
    }

    // MARK: Helpers

    static func fixture(_ name: String) throws -> JSONValue {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("HeraldTestSupport/Fixtures/apiserver/\(name).json")
        return try JSONParser.parse(Array(try Data(contentsOf: url)))
    }

    /// Where `actual` and `expected` differ in shape: a member present in one only, or a different JSON
    /// type. Arrays compare their first elements; `fieldsV1` is compared as an object only.
    static func shapeDifferences(_ actual: JSONValue, _ expected: JSONValue, path: String = "") -> [String] {
        switch (actual, expected) {
        case (.object(let a), .object(let e)):
            if path.hasSuffix(".fieldsV1") { return [] }
            var differences: [String] = []
            for key in Set(a.keys).union(e.keys).sorted() {
                switch (a[key], e[key]) {
                case (nil, _): differences.append("\(path).\(key): missing")
                case (_, nil): differences.append("\(path).\(key): not in the real response")
                case (let x?, let y?): differences += shapeDifferences(x, y, path: "\(path).\(key)")
                }
            }
            return differences
        case (.array(let a), .array(let e)):
            guard let x = a.first, let y = e.first else { return a.isEmpty == e.isEmpty ? [] : ["\(path): one array is empty"] }
            return shapeDifferences(x, y, path: path + "[0]")
        default:
            return actual.typeName == expected.typeName ? [] : ["\(path): \(actual.typeName), real: \(expected.typeName)"]
        }
    }
}

extension JSONValue {
    fileprivate func settingSpec(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        var spec = members["spec"]?.objectValue ?? JSONObject()
        spec[key] = value
        members["spec"] = .object(spec)
        return .object(members)
    }
}
