import AsyncHTTPClient
import Foundation
import HeraldJSON
import HeraldTestSupport
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization
import Testing

/// Checks `FakeKubeAPIServer` against the Kubernetes wire protocol with a plain HTTP client
/// (AsyncHTTPClient, no Kubernetes logic) and with the real `kubectl`, so a failure here points at
/// the fake and not at Herald's Kubernetes client.
@Suite struct FakeKubeAPIServerTests {
    // MARK: Discovery

    @Test func discoveryListsBuiltInAndRegisteredGroups() async throws {
        try await withFakeKube { server, client in
            server.register(Self.alerts)

            let api = try await client.send(.GET, "/api")
            #expect(api.json?["kind"] == "APIVersions")
            #expect(api.json?["versions"] == ["v1"])

            let groups = try await client.send(.GET, "/apis")
            #expect(groups.status == 200)
            #expect(groups.json?["kind"] == "APIGroupList")
            let list = try #require(groups.json?["groups"]?.arrayValue)
            let flux = try #require(list.first { $0["name"] == "notification.toolkit.fluxcd.io" })
            #expect(flux["versions"]?.arrayValue?.compactMap { $0["version"]?.stringValue } == ["v1beta3", "v1beta2"])
            #expect(flux["preferredVersion"]?["groupVersion"] == "notification.toolkit.fluxcd.io/v1beta3")
            #expect(list.contains { $0["name"] == "coordination.k8s.io" })
            #expect(list.contains { $0["name"] == "events.k8s.io" })

            let core = try await client.send(.GET, "/api/v1")
            #expect(core.json?["kind"] == "APIResourceList")
            #expect(core.json?["groupVersion"] == "v1")
            let coreResources = try #require(core.json?["resources"]?.arrayValue)
            let events = try #require(coreResources.first { $0["name"] == "events" })
            #expect(events["namespaced"] == true)
            #expect(events["kind"] == "Event")
            #expect(events["singularName"] == "event")
            #expect(events["verbs"]?.arrayValue?.contains("watch") == true)
            #expect(coreResources.contains { $0["name"] == "namespaces/status" })
            #expect(coreResources.first { $0["name"] == "namespaces" }?["shortNames"] == ["ns"])
            #expect(!coreResources.contains { $0["name"] == "events/status" })

            let fluxResources = try await client.send(.GET, "/apis/notification.toolkit.fluxcd.io/v1beta2")
            let names = fluxResources.json?["resources"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
            #expect(names == ["alerts", "alerts/status"])

            let unknown = try await client.send(.GET, "/apis/example.com/v1")
            #expect(unknown.status == 404)
            #expect(unknown.json?["kind"] == "Status")
            #expect(unknown.json?["reason"] == "NotFound")
            #expect(unknown.json?["code"] == 404)
            #expect(try await client.send(.GET, "/apis/notification.toolkit.fluxcd.io/v1").status == 404)
        }
    }

    // MARK: Lists

    @Test func paginatedListIsConsistentAtTheFirstPagesResourceVersion() async throws {
        try await withFakeKube { server, client in
            for index in 1...5 {
                try server.create(Self.event("e\(index)"), group: "", version: "v1", resource: "events", namespace: "default")
            }

            let first = try await client.send(.GET, "/api/v1/namespaces/default/events?limit=2")
            #expect(first.status == 200)
            #expect(first.json?["kind"] == "EventList")
            #expect(first.json?["apiVersion"] == "v1")
            #expect(Self.names(first.json) == ["e1", "e2"])
            // A real apiserver writes TypeMeta on the list only, not on the items of a built-in type.
            #expect(first.json?["items"]?.arrayValue?.first?["kind"] == nil)
            #expect(first.json?["items"]?.arrayValue?.first?["apiVersion"] == nil)
            #expect(first.json?["metadata"]?["remainingItemCount"] == 3)
            let listRV = try #require(first.json?["metadata"]?["resourceVersion"]?.stringValue)
            #expect(listRV == String(server.resourceVersion))
            let token = try #require(first.json?["metadata"]?["continue"]?.stringValue)

            // Changes after the first page do not show up in later pages.
            try server.delete(group: "", version: "v1", resource: "events", namespace: "default", name: "e3")
            try server.create(Self.event("e0"), group: "", version: "v1", resource: "events", namespace: "default")
            try server.create(Self.event("e6"), group: "", version: "v1", resource: "events", namespace: "default")

            let second = try await client.send(.GET, "/api/v1/namespaces/default/events?limit=2&continue=\(token)")
            #expect(Self.names(second.json) == ["e3", "e4"])
            #expect(second.json?["metadata"]?["resourceVersion"]?.stringValue == listRV)
            let secondToken = try #require(second.json?["metadata"]?["continue"]?.stringValue)
            let third = try await client.send(.GET, "/api/v1/namespaces/default/events?limit=2&continue=\(secondToken)")
            #expect(Self.names(third.json) == ["e5"])
            #expect(third.json?["metadata"]?["continue"] == nil)

            let withRV = try await client.send(.GET, "/api/v1/namespaces/default/events?limit=2&continue=\(token)&resourceVersion=3")
            #expect(withRV.status == 400)
            #expect(withRV.json?["reason"] == "BadRequest")

            let current = try await client.send(.GET, "/api/v1/namespaces/default/events")
            #expect(Self.names(current.json) == ["e0", "e1", "e2", "e4", "e5", "e6"])

            server.expireResourceVersions()
            let expired = try await client.send(.GET, "/api/v1/namespaces/default/events?limit=2&continue=\(token)")
            #expect(expired.status == 410)
            #expect(expired.json?["kind"] == "Status")
            #expect(expired.json?["reason"] == "Expired")
            #expect(expired.json?["code"] == 410)
        }
    }

    @Test func listFiltersByLabelSelectorAndSpansNamespaces() async throws {
        try await withFakeKube { server, client in
            try server.create(Self.event("a", labels: ["app": "web"]), group: "", version: "v1", resource: "events", namespace: "default")
            try server.create(Self.event("b", labels: ["app": "db"]), group: "", version: "v1", resource: "events", namespace: "default")
            try server.create(
                Self.event("c", namespace: "flux-system", labels: ["app": "web", "tier": "1"]), group: "", version: "v1",
                resource: "events", namespace: "flux-system")

            let all = try await client.send(.GET, "/api/v1/events")
            #expect(Self.names(all.json) == ["a", "b", "c"])
            let web = try await client.send(.GET, "/api/v1/events?labelSelector=app%3Dweb")
            #expect(Self.names(web.json) == ["a", "c"])
            let webTier = try await client.send(.GET, "/api/v1/events?labelSelector=app%3Dweb%2Ctier%3D1")
            #expect(Self.names(webTier.json) == ["c"])
            let notWeb = try await client.send(.GET, "/api/v1/events?labelSelector=app!%3Dweb")
            #expect(Self.names(notWeb.json) == ["b"])
            let inDefault = try await client.send(.GET, "/api/v1/namespaces/default/events?labelSelector=app%3Dweb")
            #expect(Self.names(inDefault.json) == ["a"])
            let byName = try await client.send(.GET, "/api/v1/events?fieldSelector=metadata.name%3Dc")
            #expect(Self.names(byName.json) == ["c"])
            let bad = try await client.send(.GET, "/api/v1/events?labelSelector=%3D%3D")
            #expect(bad.status == 400)
        }
    }

    @Test func metadataOnlyRequestsGetPartialObjectMetadata() async throws {
        try await withFakeKube { server, client in
            try server.create(Self.event("a", labels: ["app": "web"]), group: "", version: "v1", resource: "events", namespace: "default")
            let accept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"
            let object = try await client.send(.GET, "/api/v1/namespaces/default/events/a", headers: [("Accept", accept)])
            #expect(object.status == 200)
            #expect(object.headers.first(name: "content-type") == "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1")
            #expect(object.json?["kind"] == "PartialObjectMetadata")
            #expect(object.json?["apiVersion"] == "meta.k8s.io/v1")
            #expect(object.json?["metadata"]?["labels"]?["app"] == "web")
            #expect(object.json?["reason"] == nil)

            let listAccept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
            let list = try await client.send(.GET, "/api/v1/namespaces/default/events", headers: [("Accept", listAccept)])
            #expect(list.json?["kind"] == "PartialObjectMetadataList")
            #expect(list.json?["items"]?.arrayValue?.first?["kind"] == "PartialObjectMetadata")
            #expect(list.json?["items"]?.arrayValue?.first?["involvedObject"] == nil)

            let tableOnly = "application/json;as=Table;g=meta.k8s.io;v=v1"
            let table = try await client.send(.GET, "/api/v1/namespaces/default/events/a", headers: [("Accept", tableOnly)])
            #expect(table.status == 406)
            let withFallback = try await client.send(
                .GET, "/api/v1/namespaces/default/events/a", headers: [("Accept", tableOnly + ",application/json")])
            #expect(withFallback.json?["kind"] == "Event")
        }
    }

    // MARK: Writes

    @Test func createGetDeleteAnswerWithObjectsAndStatusErrors() async throws {
        try await withFakeKube { server, client in
            let created = try await client.send(.POST, "/api/v1/namespaces/default/events", json: Self.event("e1"))
            #expect(created.status == 201)
            let metadata = try #require(created.json?["metadata"])
            #expect(metadata["namespace"] == "default")
            #expect(metadata["uid"]?.stringValue?.count == 36)
            #expect(metadata["resourceVersion"]?.stringValue == String(server.resourceVersion))
            #expect(metadata["generation"] == nil, "Events have no generation")
            let timestamp = try #require(metadata["creationTimestamp"]?.stringValue)
            #expect(timestamp.count == 20 && timestamp.hasSuffix("Z") && timestamp.contains("T"))

            let duplicate = try await client.send(.POST, "/api/v1/namespaces/default/events", json: Self.event("e1"))
            #expect(duplicate.status == 409)
            #expect(duplicate.json?["reason"] == "AlreadyExists")
            #expect(duplicate.json?["message"] == "events \"e1\" already exists")
            #expect(duplicate.json?["details"]?["name"] == "e1")
            #expect(duplicate.json?["details"]?["kind"] == "events")
            #expect(duplicate.json?["status"] == "Failure")

            let generated = try await client.send(
                .POST, "/apis/coordination.k8s.io/v1/namespaces/default/leases", json: ["metadata": ["generateName": "herald-"]])
            #expect(generated.status == 201)
            #expect(generated.json?["metadata"]?["name"]?.stringValue?.hasPrefix("herald-") == true)
            #expect(generated.json?["metadata"]?["name"]?.stringValue?.count == 12)
            #expect(generated.json?["kind"] == "Lease")
            #expect(generated.json?["apiVersion"] == "coordination.k8s.io/v1")

            let nameless = try await client.send(.POST, "/api/v1/namespaces/default/events", json: ["metadata": [:]])
            #expect(nameless.status == 422)
            #expect(nameless.json?["reason"] == "Invalid")
            let wrongNamespace = try await client.send(.POST, "/api/v1/namespaces/other/events", json: Self.event("e2"))
            #expect(wrongNamespace.status == 400)

            let fetched = try await client.send(.GET, "/api/v1/namespaces/default/events/e1")
            #expect(fetched.json == created.json)
            let missing = try await client.send(.GET, "/apis/coordination.k8s.io/v1/namespaces/default/leases/nope")
            #expect(missing.status == 404)
            #expect(missing.json?["message"] == "leases.coordination.k8s.io \"nope\" not found")
            #expect(missing.json?["details"]?["group"] == "coordination.k8s.io")

            let deleted = try await client.send(.DELETE, "/api/v1/namespaces/default/events/e1")
            #expect(deleted.status == 200)
            #expect(deleted.json?["metadata"]?["name"] == "e1")
            #expect(server.get(group: "", version: "v1", resource: "events", namespace: "default", name: "e1") == nil)
            #expect(try await client.send(.DELETE, "/api/v1/namespaces/default/events/e1").status == 404)
            #expect(try await client.send(.PUT, "/api/v1/namespaces/default/events", json: Self.event("x")).status == 405)
        }
    }

    @Test func updateUsesResourceVersionForOptimisticConcurrency() async throws {
        try await withFakeKube { server, client in
            let created = try server.create(
                Self.lease("leader", holder: "a"), group: "coordination.k8s.io", version: "v1", resource: "leases", namespace: "default")
            let path = "/apis/coordination.k8s.io/v1/namespaces/default/leases/leader"
            let staleRV = try #require(created["metadata"]?["resourceVersion"]?.stringValue)

            let first = try await client.send(.PUT, path, json: Self.withResourceVersion(Self.lease("leader", holder: "b"), staleRV))
            #expect(first.status == 200)
            #expect(first.json?["spec"]?["holderIdentity"] == "b")
            #expect(first.json?["metadata"]?["uid"] == created["metadata"]?["uid"])
            #expect(first.json?["metadata"]?["generation"] == nil, "built-in types without a spec/status split keep no generation")
            let newRV = try #require(first.json?["metadata"]?["resourceVersion"]?.stringValue)
            #expect(Int(newRV) ?? 0 > Int(staleRV) ?? 0)

            let conflict = try await client.send(.PUT, path, json: Self.withResourceVersion(Self.lease("leader", holder: "c"), staleRV))
            #expect(conflict.status == 409)
            #expect(conflict.json?["reason"] == "Conflict")
            #expect(
                conflict.json?["message"]
                    == "Operation cannot be fulfilled on leases.coordination.k8s.io \"leader\": the object has been modified; please apply your changes to the latest version and try again"
            )

            let unconditional = try await client.send(.PUT, path, json: Self.lease("leader", holder: "c"))
            #expect(unconditional.status == 200)
            #expect(unconditional.json?["spec"]?["holderIdentity"] == "c")

            // Writing the same content again stores nothing and bumps nothing.
            let rvBefore = server.resourceVersion
            let same = try await client.send(.PUT, path, json: Self.lease("leader", holder: "c"))
            #expect(same.status == 200)
            #expect(server.resourceVersion == rvBefore)

            let wrongName = try await client.send(.PUT, path, json: Self.lease("other", holder: "c"))
            #expect(wrongName.status == 400)
            let absent = try await client.send(.PUT, path + "x", json: Self.lease("leaderx", holder: "c"))
            #expect(absent.status == 404)
        }
    }

    @Test func mergePatchFollowsRFC7386() async throws {
        try await withFakeKube { server, client in
            var secret: JSONValue = [
                "metadata": ["name": "token", "labels": ["a": "1"], "annotations": ["drop": "me", "keep": "me"]],
                "type": "Opaque", "data": ["token": "c2VjcmV0", "other": "eA=="],
            ]
            secret = try server.create(secret, group: "", version: "v1", resource: "secrets", namespace: "default")
            let path = "/api/v1/namespaces/default/secrets/token"
            let patch: JSONValue = [
                "metadata": ["labels": ["b": "2"], "annotations": ["drop": nil]],
                "data": ["other": nil, "new": "eQ=="],
            ]
            let patched = try await client.send(.PATCH, path, json: patch, contentType: "application/merge-patch+json")
            #expect(patched.status == 200)
            #expect(patched.json?["metadata"]?["labels"] == ["a": "1", "b": "2"])
            #expect(patched.json?["metadata"]?["annotations"] == ["keep": "me"])
            #expect(patched.json?["data"] == ["token": "c2VjcmV0", "new": "eQ=="])
            #expect(patched.json?["type"] == "Opaque")
            #expect(patched.json?["metadata"]?["uid"] == secret["metadata"]?["uid"])

            let strategic = try await client.send(
                .PATCH, path, json: ["metadata": ["labels": ["c": "3"]]], contentType: "application/strategic-merge-patch+json")
            #expect(strategic.json?["metadata"]?["labels"]?["c"] == "3")

            let staleRV = try #require(secret["metadata"]?["resourceVersion"]?.stringValue)
            let stalePatch: JSONValue = ["metadata": ["resourceVersion": .string(staleRV), "labels": ["d": "4"]]]
            let stale = try await client.send(.PATCH, path, json: stalePatch, contentType: "application/merge-patch+json")
            #expect(stale.status == 409)

            let jsonPatch = try await client.send(
                .PATCH, path, body: Array(#"[{"op":"remove","path":"/data/new"}]"#.utf8), contentType: "application/json-patch+json")
            #expect(jsonPatch.status == 415)
            #expect(jsonPatch.json?["reason"] == "UnsupportedMediaType")
            let missing = try await client.send(.PATCH, path + "x", json: patch, contentType: "application/merge-patch+json")
            #expect(missing.status == 404)
        }
    }

    @Test func statusSubresourceSplitsStatusFromTheRest() async throws {
        try await withFakeKube { server, client in
            server.register(Self.alerts)
            let base = "/apis/notification.toolkit.fluxcd.io/v1beta3/namespaces/flux-system/alerts"
            let alert: JSONValue = [
                "apiVersion": "notification.toolkit.fluxcd.io/v1beta3", "kind": "Alert",
                "metadata": ["name": "slack"], "spec": ["providerRef": ["name": "slack"]],
                "status": ["conditions": [["type": "Ready", "status": "True"]]],
            ]
            let created = try await client.send(.POST, base, json: alert)
            #expect(created.status == 201)
            #expect(created.json?["status"] == nil)  // status is not settable on create

            let statusPatch: JSONValue = ["status": ["observedGeneration": 1], "spec": ["suspend": true]]
            let status = try await client.send(
                .PATCH, base + "/slack/status", json: statusPatch, contentType: "application/merge-patch+json")
            #expect(status.status == 200)
            #expect(status.json?["status"]?["observedGeneration"] == 1)
            #expect(status.json?["spec"]?["suspend"] == nil)  // only .status changes
            #expect(status.json?["metadata"]?["generation"] == 1)

            let mainPatch: JSONValue = ["status": ["observedGeneration": 7], "spec": ["suspend": true]]
            let main = try await client.send(.PATCH, base + "/slack", json: mainPatch, contentType: "application/merge-patch+json")
            #expect(main.json?["spec"]?["suspend"] == true)
            #expect(main.json?["status"]?["observedGeneration"] == 1)  // status ignored on the main resource
            #expect(main.json?["metadata"]?["generation"] == 2)

            let rvBefore = server.resourceVersion
            let onlyStatus = try await client.send(
                .PATCH, base + "/slack", json: ["status": ["observedGeneration": 9]], contentType: "application/merge-patch+json")
            #expect(onlyStatus.json?["status"]?["observedGeneration"] == 1)
            #expect(server.resourceVersion == rvBefore)

            var replacement = try #require(main.json?.objectValue)
            replacement["status"] = ["observedGeneration": 2]
            let put = try await client.send(.PUT, base + "/slack/status", json: .object(replacement))
            #expect(put.status == 200)
            #expect(put.json?["status"]?["observedGeneration"] == 2)
            #expect(put.json?["metadata"]?["generation"] == 2)

            let older = try await client.send(.GET, "/apis/notification.toolkit.fluxcd.io/v1beta2/namespaces/flux-system/alerts/slack")
            #expect(older.json?["apiVersion"] == "notification.toolkit.fluxcd.io/v1beta2")

            // Types without a status subresource have no /status.
            try server.create(Self.event("e1"), group: "", version: "v1", resource: "events", namespace: "default")
            let none = try await client.send(
                .PATCH, "/api/v1/namespaces/default/events/e1/status", json: ["status": [:]], contentType: "application/merge-patch+json")
            #expect(none.status == 404)
        }
    }

    // MARK: Watches

    @Test func watchReplaysFromResourceVersionThenStreamsLiveEventsAndBookmarks() async throws {
        try await withFakeKube { server, client in
            let listed = try await client.send(.GET, "/api/v1/namespaces/default/events")
            let listRV = try #require(listed.json?["metadata"]?["resourceVersion"]?.stringValue)
            try server.create(Self.event("e1"), group: "", version: "v1", resource: "events", namespace: "default")
            try server.create(Self.event("e2"), group: "", version: "v1", resource: "events", namespace: "default")
            try server.create(
                Self.event("other", namespace: "kube-system"), group: "", version: "v1", resource: "events", namespace: "kube-system")

            let watch = try await client.watch(
                "/api/v1/namespaces/default/events?watch=true&resourceVersion=\(listRV)&allowWatchBookmarks=true")
            defer { watch.cancel() }
            #expect(watch.status == 200)
            #expect(watch.headers.first(name: "transfer-encoding") == "chunked")
            #expect(watch.headers.first(name: "content-type") == "application/json")
            let replay1 = try await watch.next()
            #expect(replay1["type"] == "ADDED")
            #expect(replay1["object"]?["metadata"]?["name"] == "e1")
            #expect(replay1["object"]?["kind"] == "Event")
            #expect(replay1["object"]?["apiVersion"] == "v1")
            #expect(try await watch.next()["object"]?["metadata"]?["name"] == "e2")

            try await server.waitForWatches(count: 1)
            let patched = try await client.send(
                .PATCH, "/api/v1/namespaces/default/events/e1", json: ["count": 2], contentType: "application/merge-patch+json")
            let modified = try await watch.next()
            #expect(modified["type"] == "MODIFIED")
            #expect(modified["object"]?["count"] == 2)
            #expect(modified["object"]?["metadata"]?["resourceVersion"] == patched.json?["metadata"]?["resourceVersion"])

            try server.delete(group: "", version: "v1", resource: "events", namespace: "default", name: "e2")
            let deleted = try await watch.next()
            #expect(deleted["type"] == "DELETED")
            #expect(deleted["object"]?["metadata"]?["name"] == "e2")
            #expect(deleted["object"]?["metadata"]?["resourceVersion"]?.stringValue == String(server.resourceVersion))

            server.sendBookmarks()
            let bookmark = try await watch.next()
            #expect(bookmark["type"] == "BOOKMARK")
            #expect(
                bookmark["object"]
                    == ["kind": "Event", "apiVersion": "v1", "metadata": ["resourceVersion": .string(String(server.resourceVersion))]])
            #expect(await watch.nothingArrives(for: .milliseconds(200)))
        }
    }

    @Test func watchWithoutResourceVersionStartsWithSyntheticAdds() async throws {
        try await withFakeKube { server, client in
            try server.create(Self.event("b"), group: "", version: "v1", resource: "events", namespace: "default")
            try server.create(Self.event("a"), group: "", version: "v1", resource: "events", namespace: "default")
            for query in ["watch=true", "watch=1&resourceVersion=0"] {
                let watch = try await client.watch("/api/v1/namespaces/default/events?\(query)")
                defer { watch.cancel() }
                #expect(try await watch.next()["object"]?["metadata"]?["name"] == "a")
                #expect(try await watch.next()["object"]?["metadata"]?["name"] == "b")
                // No bookmarks unless asked for.
                server.sendBookmarks()
                #expect(await watch.nothingArrives(for: .milliseconds(100)))
            }
            let initial = try await client.watch(
                "/api/v1/namespaces/default/events?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"
            )
            defer { initial.cancel() }
            #expect(try await initial.next()["type"] == "ADDED")
            #expect(try await initial.next()["type"] == "ADDED")
            let end = try await initial.next()
            #expect(end["type"] == "BOOKMARK")
            #expect(end["object"]?["metadata"]?["annotations"]?["k8s.io/initial-events-end"] == "true")
        }
    }

    @Test func watchWithLabelSelectorSeesObjectsEnterAndLeaveTheView() async throws {
        try await withFakeKube { server, client in
            let watch = try await client.watch(
                "/api/v1/events?watch=true&resourceVersion=\(server.resourceVersion)&labelSelector=app%3Dweb")
            defer { watch.cancel() }
            try await server.waitForWatches(count: 1)
            let path = "/api/v1/namespaces/default/events/e1"
            _ = try await client.send(.POST, "/api/v1/namespaces/default/events", json: Self.event("e1", labels: ["app": "web"]))
            _ = try await client.send(.POST, "/api/v1/namespaces/default/events", json: Self.event("e2", labels: ["app": "db"]))
            #expect(try await watch.next()["type"] == "ADDED")
            _ = try await client.send(
                .PATCH, path, json: ["metadata": ["labels": ["app": "db"]]], contentType: "application/merge-patch+json")
            let left = try await watch.next()
            #expect(left["type"] == "DELETED")
            #expect(left["object"]?["metadata"]?["labels"]?["app"] == "web")  // the last state inside the view
            _ = try await client.send(
                .PATCH, path, json: ["metadata": ["labels": ["app": "web"]]], contentType: "application/merge-patch+json")
            let entered = try await watch.next()
            #expect(entered["type"] == "ADDED")
            #expect(entered["object"]?["metadata"]?["name"] == "e1")
            #expect(await watch.nothingArrives(for: .milliseconds(100)))
        }
    }

    @Test func watchFromCompactedResourceVersionGetsExpiredErrorEvent() async throws {
        try await withFakeKube { server, client in
            try server.create(Self.event("e1"), group: "", version: "v1", resource: "events", namespace: "default")
            let oldRV = server.resourceVersion
            try server.create(Self.event("e2"), group: "", version: "v1", resource: "events", namespace: "default")
            server.expireResourceVersions()

            let watch = try await client.watch("/api/v1/namespaces/default/events?watch=true&resourceVersion=\(oldRV)")
            #expect(watch.status == 200)
            let error = try await watch.next()
            #expect(error["type"] == "ERROR")
            #expect(error["object"]?["kind"] == "Status")
            #expect(error["object"]?["code"] == 410)
            #expect(error["object"]?["reason"] == "Expired")
            #expect(error["object"]?["message"]?.stringValue == "too old resource version: \(oldRV) (\(oldRV + 1))")
            #expect(try await watch.end() == .clean)

            server.expiredAsHTTPStatus = true
            let plain = try await client.send(.GET, "/api/v1/namespaces/default/events?watch=true&resourceVersion=\(oldRV)")
            #expect(plain.status == 410)
            #expect(plain.json?["kind"] == "Status")
            #expect(plain.json?["reason"] == "Expired")
            #expect(plain.json?["code"] == 410)
        }
    }

    @Test func listTakenAfterCompactionCanBeWatchedFrom() async throws {
        try await withFakeKube { server, client in
            try server.create(Self.event("e1"), group: "", version: "v1", resource: "events", namespace: "default")
            server.expireResourceVersions()
            // Compaction is at the current revision (as in etcd): a relist right after it must not
            // be answered with another 410, or a correct client would relist forever.
            let list = try await client.send(.GET, "/api/v1/namespaces/default/events")
            let listRV = try #require(list.json?["metadata"]?["resourceVersion"]?.stringValue)
            let watch = try await client.watch("/api/v1/namespaces/default/events?watch=true&resourceVersion=\(listRV)")
            defer { watch.cancel() }
            try await server.waitForWatches(count: 1)
            try server.create(Self.event("e2"), group: "", version: "v1", resource: "events", namespace: "default")
            let added = try await watch.next()
            #expect(added["type"] == "ADDED")
            #expect(added["object"]?["metadata"]?["name"] == "e2")
        }
    }

    @Test func boundedEventLogMakesOldResourceVersionsTooOld() async throws {
        try await withFakeKube(eventLogCapacity: 3) { server, client in
            let start = server.resourceVersion
            for index in 1...5 {
                try server.create(Self.event("e\(index)"), group: "", version: "v1", resource: "events", namespace: "default")
            }
            let tooOld = try await client.watch("/api/v1/namespaces/default/events?watch=true&resourceVersion=\(start)")
            #expect(try await tooOld.next()["type"] == "ERROR")
            let recent = try await client.watch("/api/v1/namespaces/default/events?watch=true&resourceVersion=\(start + 2)")
            defer { recent.cancel() }
            #expect(try await recent.next()["object"]?["metadata"]?["name"] == "e3")
            let exact = try await client.send(
                .GET, "/api/v1/namespaces/default/events?resourceVersion=\(start + 1)&resourceVersionMatch=Exact")
            #expect(exact.status == 410)
            let exactRecent = try await client.send(
                .GET, "/api/v1/namespaces/default/events?resourceVersion=\(start + 3)&resourceVersionMatch=Exact")
            #expect(Self.names(exactRecent.json) == ["e1", "e2", "e3"])
        }
    }

    @Test func timeoutSecondsEndsTheWatchCleanly() async throws {
        try await withFakeKube { server, client in
            let clock = ContinuousClock()
            let started = clock.now
            let watch = try await client.watch(
                "/api/v1/namespaces/default/events?watch=true&resourceVersion=\(server.resourceVersion)&timeoutSeconds=1")
            #expect(try await watch.end(timeout: .seconds(5)) == .clean)
            let elapsed = clock.now - started
            #expect(elapsed >= .milliseconds(900))
            #expect(server.watchCount == 0)
        }
    }

    @Test func droppedWatchEndsWithoutTerminatingChunk() async throws {
        try await withFakeKube { server, client in
            let watch = try await client.watch("/api/v1/namespaces/default/events?watch=true&resourceVersion=\(server.resourceVersion)")
            try await server.waitForWatches(count: 1)
            try server.create(Self.event("e1"), group: "", version: "v1", resource: "events", namespace: "default")
            #expect(try await watch.next()["type"] == "ADDED")
            server.dropWatchConnections()
            let end = try await watch.end()
            #expect(end != .clean)
            #expect(end != nil)
        }
    }

    @Test func stalledWatchHoldsEventsUntilReleased() async throws {
        try await withFakeKube { server, client in
            let watch = try await client.watch("/api/v1/namespaces/default/events?watch=true&resourceVersion=\(server.resourceVersion)")
            defer { watch.cancel() }
            try await server.waitForWatches(count: 1)
            server.stallWatches(true)
            try server.create(Self.event("e1"), group: "", version: "v1", resource: "events", namespace: "default")
            try server.create(Self.event("e2"), group: "", version: "v1", resource: "events", namespace: "default")
            #expect(await watch.nothingArrives(for: .milliseconds(300)))
            server.stallWatches(false)
            #expect(try await watch.next()["object"]?["metadata"]?["name"] == "e1")
            #expect(try await watch.next()["object"]?["metadata"]?["name"] == "e2")
        }
    }

    @Test func restartDropsConnectionsCompactsAndKeepsObjects() async throws {
        try await withFakeKube { server, client in
            try server.create(Self.event("e1"), group: "", version: "v1", resource: "events", namespace: "default")
            let rv = server.resourceVersion
            let watch = try await client.watch("/api/v1/namespaces/default/events?watch=true&resourceVersion=\(rv)")
            try await server.waitForWatches(count: 1)
            try server.create(Self.event("e2"), group: "", version: "v1", resource: "events", namespace: "default")
            #expect(try await watch.next()["object"]?["metadata"]?["name"] == "e2")
            try await server.restart()
            #expect(try await watch.end() != .clean)
            let again = try await client.watch("/api/v1/namespaces/default/events?watch=true&resourceVersion=\(rv)")
            #expect(try await again.next()["type"] == "ERROR")
            let list = try await client.send(.GET, "/api/v1/namespaces/default/events")
            #expect(Self.names(list.json) == ["e1", "e2"])
        }
    }

    // MARK: Errors and auth

    @Test func injectedFailuresAnswerWithStatusAndRetryAfter() async throws {
        try await withFakeKube { server, client in
            server.failNextRequests(status: 429, count: 2, retryAfterSeconds: 3, matching: "/api/v1/namespaces/default/events")
            let other = try await client.send(.GET, "/api/v1/namespaces/default/secrets")
            #expect(other.status == 200)
            for _ in 0..<2 {
                let throttled = try await client.send(.GET, "/api/v1/namespaces/default/events?limit=10")
                #expect(throttled.status == 429)
                #expect(throttled.headers.first(name: "retry-after") == "3")
                #expect(throttled.json?["reason"] == "TooManyRequests")
                #expect(throttled.json?["details"]?["retryAfterSeconds"] == 3)
            }
            #expect(try await client.send(.GET, "/api/v1/namespaces/default/events").status == 200)

            server.failNextRequests(status: 503, count: 1)
            let unavailable = try await client.send(.GET, "/api/v1/namespaces/default/secrets")
            #expect(unavailable.status == 503)
            #expect(unavailable.json?["reason"] == "ServiceUnavailable")
            #expect(unavailable.headers.first(name: "retry-after") == nil)
        }
    }

    @Test func bearerTokensAreCheckedAndRotatable() async throws {
        try await withFakeKube(auth: .bearerToken(["first"])) { server, client in
            let anonymous = try await client.send(.GET, "/api/v1/namespaces/default/events")
            #expect(anonymous.status == 401)
            #expect(anonymous.json?["reason"] == "Unauthorized")
            #expect(anonymous.json?["kind"] == "Status")
            #expect(try await client.send(.GET, "/api/v1/namespaces/default/events", token: "wrong").status == 401)
            #expect(try await client.send(.GET, "/api/v1/namespaces/default/events", token: "first").status == 200)

            server.setAcceptedTokens(["second"])
            #expect(try await client.send(.GET, "/api/v1/namespaces/default/events", token: "first").status == 401)
            #expect(try await client.send(.GET, "/api/v1/namespaces/default/events", token: "second").status == 200)
            let watch = try await client.watch("/api/v1/namespaces/default/events?watch=true", token: "first")
            #expect(watch.status == 401)

            let log = await server.requestLog
            #expect(log.count == 6)
            #expect(log.last?.header("authorization") == "Bearer first")
            #expect(log.last?.query("watch") == "true")
            #expect(log.first?.header("authorization") == nil)
        }
    }

    @Test func clientCertificateAuthRequiresACertificateFromTheTestCA() async throws {
        let tls = TestTLS()
        try await withFakeKube(tls: tls, auth: .clientCertificate, clientCertificate: true) { server, client in
            #expect(server.baseURL == "https://127.0.0.1:\(server.port)")
            let list = try await client.send(.GET, "/api/v1/namespaces/default/events")
            #expect(list.status == 200)
            #expect(await server.requestLog.last?.clientCertificatePresented == true)

            let anonymous = try KubeTestClient(baseURL: server.baseURL, tls: tls, clientCertificate: false)
            defer { anonymous.close() }
            await #expect(throws: (any Error).self) {
                _ = try await anonymous.send(.GET, "/api/v1/namespaces/default/events")
            }
        }
    }

    @Test func testSideAPIFillsMetadataAndEmitsEvents() async throws {
        try await withFakeKube { server, client in
            let watch = try await client.watch(
                "/apis/coordination.k8s.io/v1/namespaces/default/leases?watch=true&resourceVersion=\(server.resourceVersion)")
            defer { watch.cancel() }
            let created = try server.create(
                Self.lease("l1", holder: "a"), group: "coordination.k8s.io", version: "v1", resource: "leases", namespace: "default")
            #expect(created["metadata"]?["namespace"] == "default")
            #expect(created["metadata"]?["generation"] == nil, "Leases have no generation")
            #expect(created["metadata"]?["managedFields"]?.arrayValue?.first?["manager"] == "fake-kube-test")
            #expect(try await watch.next()["type"] == "ADDED")
            #expect(throws: FakeKubeError.self) {
                try server.create(
                    Self.lease("l1", holder: "a"), group: "coordination.k8s.io", version: "v1", resource: "leases", namespace: "default")
            }
            let updated = try server.update(
                Self.lease("l1", holder: "b"), group: "coordination.k8s.io", version: "v1", resource: "leases", namespace: "default")
            #expect(updated["metadata"]?["resourceVersion"] != created["metadata"]?["resourceVersion"])
            #expect(try await watch.next()["type"] == "MODIFIED")
            #expect(server.list(group: "coordination.k8s.io", version: "v1", resource: "leases", namespace: nil).count == 1)
            #expect(server.list(group: "", version: "v1", resource: "namespaces", namespace: nil).count == 4)
            try server.delete(group: "coordination.k8s.io", version: "v1", resource: "leases", namespace: "default", name: "l1")
            #expect(try await watch.next()["type"] == "DELETED")
            #expect(server.get(group: "coordination.k8s.io", version: "v1", resource: "leases", namespace: "default", name: "l1") == nil)
            let error = #expect(throws: FakeKubeError.self) {
                try server.delete(group: "coordination.k8s.io", version: "v1", resource: "leases", namespace: "default", name: "l1")
            }
            #expect(error?.code == 404)
        }
    }

    // MARK: kubectl

    @Test(.enabled(if: Kubectl.path != nil, "kubectl is not installed (CI: apt-get install kubernetes-client)"))
    func realKubectlReadsAndWatchesEvents() async throws {
        let tls = TestTLS()
        try await withFakeKube(tls: tls, auth: .bearerToken(["kubectl-token"])) { server, client in
            try server.create(Self.event("before-kubectl"), group: "", version: "v1", resource: "events", namespace: "default")
            let kubectl = try Kubectl(kubeconfig: server.kubeconfig(token: "kubectl-token", clientCertificate: false))
            defer { kubectl.cleanUp() }

            let raw = try kubectl.run(["get", "--raw", "/api/v1/namespaces/default/events"])
            #expect(raw.status == 0, "\(raw.error)")
            let rawList = try JSONParser.parse(raw.output)
            #expect(rawList["kind"] == "EventList")
            #expect(Self.names(rawList) == ["before-kubectl"])

            let get = try kubectl.run(["get", "events", "-n", "default", "-o", "json"])
            #expect(get.status == 0, "\(get.error)")
            let listed = try JSONParser.parse(get.output)
            #expect(listed["kind"] == "List")
            #expect(Self.names(listed) == ["before-kubectl"])

            let log = await server.requestLog
            #expect(log.contains { $0.path == "/api/v1/namespaces/default/events" && $0.query("limit") == "500" })
            #expect(log.allSatisfy { $0.header("authorization") == "Bearer kubectl-token" })

            let watcher = try kubectl.start(["get", "events", "-n", "default", "--watch", "-o", "json", "--request-timeout=30s"])
            defer { watcher.terminate() }
            try await server.waitForWatches(count: 1, timeout: .seconds(20))
            let created = try await client.send(
                .POST, "/api/v1/namespaces/default/events", json: Self.event("during-watch"), token: "kubectl-token")
            #expect(created.status == 201)
            let printed = try await watcher.waitForOutput(containing: "during-watch", timeout: .seconds(20))
            #expect(printed.contains("before-kubectl"))
            let watchRequest = await server.requestLog.last { $0.query("watch") == "true" }
            #expect(watchRequest?.path == "/api/v1/namespaces/default/events")
            #expect(watchRequest?.query("resourceVersion") != nil)
        }
    }

    @Test(.enabled(if: Kubectl.path != nil, "kubectl is not installed (CI: apt-get install kubernetes-client)"))
    func realKubectlAuthenticatesWithTheClientCertificate() async throws {
        try await withFakeKube(tls: TestTLS(), auth: .clientCertificate, clientCertificate: true) { server, _ in
            let kubectl = try Kubectl(kubeconfig: server.kubeconfig(token: nil, clientCertificate: true))
            defer { kubectl.cleanUp() }
            let result = try kubectl.run(["get", "ns", "-o", "json"])
            #expect(result.status == 0, "\(result.error)")
            #expect(Self.names(try JSONParser.parse(result.output)) == ["default", "kube-node-lease", "kube-public", "kube-system"])
        }
    }

    // MARK: Fixtures

    static let alerts = FakeResourceType(
        group: "notification.toolkit.fluxcd.io", versions: ["v1beta3", "v1beta2"], resource: "alerts", kind: "Alert",
        namespaced: true, statusSubresource: true)

    static func event(_ name: String, namespace: String = "default", labels: [String: String] = [:]) -> JSONValue {
        var metadata = JSONObject([("name", .string(name)), ("namespace", .string(namespace))])
        if !labels.isEmpty { metadata["labels"] = .sortedObject(labels) }
        return [
            "apiVersion": "v1", "kind": "Event", "metadata": .object(metadata),
            "involvedObject": ["kind": "Kustomization", "name": "apps", "namespace": "flux-system"],
            "reason": "ReconciliationSucceeded", "message": "Applied revision main@sha1:abc", "type": "Normal",
            "source": ["component": "kustomize-controller"],
        ]
    }

    static func lease(_ name: String, holder: String) -> JSONValue {
        [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": .string(name)],
            "spec": ["holderIdentity": .string(holder), "leaseDurationSeconds": 15],
        ]
    }

    static func withResourceVersion(_ object: JSONValue, _ resourceVersion: String) -> JSONValue {
        guard case .object(var members) = object else { return object }
        var metadata = members["metadata"]?.objectValue ?? JSONObject()
        metadata["resourceVersion"] = .string(resourceVersion)
        members["metadata"] = .object(metadata)
        return .object(members)
    }

    static func names(_ list: JSONValue?) -> [String] {
        list?["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
    }
}

// MARK: - Helpers

func withFakeKube(
    tls: TestTLS? = nil, auth: FakeKubeAuth = .none, clientCertificate: Bool = false, eventLogCapacity: Int = 10_000,
    resourceVersions: FakeResourceVersionFormat = .etcdRevision,
    _ body: (FakeKubeAPIServer, KubeTestClient) async throws -> Void
) async throws {
    let server = try await FakeKubeAPIServer.start(
        tls: tls, auth: auth, eventLogCapacity: eventLogCapacity, resourceVersions: resourceVersions)
    let client: KubeTestClient
    do {
        client = try KubeTestClient(baseURL: server.baseURL, tls: tls, clientCertificate: clientCertificate)
    } catch {
        try? await server.shutdown()
        throw error
    }
    do {
        try await body(server, client)
    } catch {
        client.close()
        try? await server.shutdown()
        throw error
    }
    client.close()
    try await server.shutdown()
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
}

/// A thin HTTP client over AsyncHTTPClient: raw requests, JSON bodies, and watch streams read
/// line by line in the background.
final class KubeTestClient: Sendable {
    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var json: JSONValue? { try? JSONParser.parse(body) }
    }

    let baseURL: String
    private let client: HTTPClient

    init(baseURL: String, tls: TestTLS?, clientCertificate: Bool) throws {
        self.baseURL = baseURL
        var configuration = HTTPClient.Configuration()
        if let tls {
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            tlsConfiguration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(tls.caPEM.utf8)))
            if clientCertificate {
                tlsConfiguration.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(tls.clientCertificatePEM.utf8)).map {
                    .certificate($0)
                }
                tlsConfiguration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(tls.clientKeyPEM.utf8), format: .pem))
            }
            configuration.tlsConfiguration = tlsConfiguration
        }
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func close() {
        try? client.syncShutdown()
    }

    func send(
        _ method: HTTPMethod, _ path: String, json: JSONValue? = nil, body: [UInt8]? = nil, contentType: String = "application/json",
        token: String? = nil, headers: [(String, String)] = []
    ) async throws -> Reply {
        let request = makeRequest(
            method, path, body: body ?? json.map { JSONWriter.bytes($0) }, contentType: contentType, token: token, headers: headers)
        let response = try await client.execute(request, timeout: .seconds(10))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Array(buffer.readableBytesView))
    }

    func watch(_ path: String, token: String? = nil) async throws -> WatchStream {
        let request = makeRequest(.GET, path, body: nil, contentType: "", token: token, headers: [])
        let response = try await client.execute(request, timeout: .seconds(10))
        return WatchStream(response: response)
    }

    private func makeRequest(
        _ method: HTTPMethod, _ path: String, body: [UInt8]?, contentType: String, token: String?, headers: [(String, String)]
    ) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }
}

/// A watch response read in the background: parsed event lines queue up, and how the stream ended
/// (terminating chunk or error) is kept.
final class WatchStream: Sendable {
    enum End: Equatable, Sendable {
        case clean
        case failed(String)
    }

    private struct State {
        var pending: [UInt8] = []
        var events: [JSONValue] = []
        var end: End?
        var reader: Task<Void, Never>?
    }

    let status: Int
    let headers: HTTPHeaders
    private let state = Mutex(State())

    init(response: HTTPClientResponse) {
        status = Int(response.status.code)
        headers = response.headers
        let reader = Task { [self] in
            do {
                for try await buffer in response.body { receive(Array(buffer.readableBytesView)) }
                finish(.clean)
            } catch {
                finish(.failed("\(error)"))
            }
        }
        state.withLock { $0.reader = reader }
    }

    private func receive(_ bytes: [UInt8]) {
        state.withLock { state in
            state.pending += bytes
            while let newline = state.pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(state.pending[..<newline])
                state.pending.removeFirst(newline + 1)
                state.events.append((try? JSONParser.parse(line)) ?? .string(String(decoding: line, as: UTF8.self)))
            }
        }
    }

    private func finish(_ end: End) {
        state.withLock { $0.end = $0.end ?? end }
    }

    /// The next event; throws when the stream ends or nothing arrives within `timeout`.
    func next(timeout: Duration = .seconds(5)) async throws -> JSONValue {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let (event, end) = state.withLock { state -> (JSONValue?, End?) in
                // `.none`, not `nil`: JSONValue is ExpressibleByNilLiteral, so `nil` here would be `.null`.
                state.events.isEmpty ? (.none, state.end) : (.some(state.events.removeFirst()), .none)
            }
            if let event { return event }
            if let end { throw TestFailure(description: "watch ended (\(end)) before the next event") }
            guard ContinuousClock.now < deadline else { throw TestFailure(description: "no watch event within \(timeout)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// True when no event (and no end) arrives within `duration`.
    func nothingArrives(for duration: Duration) async -> Bool {
        try? await Task.sleep(for: duration)
        return state.withLock { $0.events.isEmpty && $0.end == nil }
    }

    /// How the stream ended, waiting up to `timeout`; nil if it is still open.
    func end(timeout: Duration = .seconds(5)) async throws -> End? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if let end = state.withLock({ $0.end }) { return end }
            try await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }

    func cancel() {
        state.withLock { $0.reader }?.cancel()
    }
}

/// Runs the real `kubectl` against a kubeconfig written to a temporary directory (with its own
/// discovery cache there).
private struct Kubectl {
    static let path: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/kubectl" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    let directory: URL
    let kubeconfigPath: String

    init(kubeconfig: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fake-kube-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        kubeconfigPath = directory.appendingPathComponent("kubeconfig").path
        try kubeconfig.write(toFile: kubeconfigPath, atomically: true, encoding: .utf8)
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }

    private func arguments(_ arguments: [String]) -> [String] {
        ["--kubeconfig", kubeconfigPath, "--cache-dir", directory.appendingPathComponent("cache").path] + arguments
    }

    private func process(_ arguments: [String]) throws -> Process {
        guard let path = Self.path else { throw TestFailure(description: "kubectl not found") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = self.arguments(arguments)
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = directory.path
        environment["KUBECONFIG"] = nil
        process.environment = environment
        return process
    }

    /// Runs to completion (blocking; the fake serves from its own event loops meanwhile).
    func run(_ arguments: [String]) throws -> Result {
        let process = try process(arguments)
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
            error: String(decoding: errorData, as: UTF8.self))
    }

    /// Starts a long-running kubectl (a watch) whose output is collected as it arrives.
    func start(_ arguments: [String]) throws -> RunningKubectl {
        try RunningKubectl(process: process(arguments))
    }
}

/// A kubectl process running in the background, with its stdout and stderr collected.
private final class RunningKubectl: Sendable {
    private final class Output: Sendable {
        let text = Mutex("")
    }

    private let process: Mutex<Process>
    private let output = Output()

    init(process: Process) throws {
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let output = self.output
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            output.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
        self.process = Mutex(process)
    }

    /// Waits until the output contains `text` and returns all output so far.
    func waitForOutput(containing text: String, timeout: Duration) async throws -> String {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let current = output.text.withLock { $0 }
            if current.contains(text) { return current }
            guard ContinuousClock.now < deadline else {
                throw TestFailure(description: "kubectl did not print \(text) within \(timeout); output:\n\(current)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func terminate() {
        process.withLock { process in
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
            (process.standardOutput as? Pipe)?.fileHandleForReading.readabilityHandler = nil
        }
    }
}
