import HeraldJSON
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An in-process Kubernetes API server on 127.0.0.1 (ephemeral port) that speaks the real wire
/// protocol over HTTP/1.1, for testing Herald's Kubernetes client and, through `kubeconfig(...)`,
/// real `kubectl`. Built from the Kubernetes API conventions and "API Concepts" documentation, not
/// from what any one client sends.
///
/// Faithful to the apiserver:
/// - Discovery: `/api` (APIVersions), `/apis` (APIGroupList, `preferredVersion` = first version),
///   `/apis/{group}` (APIGroup), `/api/v1` and `/apis/{g}/{v}` (APIResourceList with verbs and a
///   `<plural>/status` entry when the status subresource exists); `/version`, `/healthz`, `/livez`,
///   `/readyz`. Unknown groups, versions, resources and paths get a 404 `Status`.
/// - One global resourceVersion counter (etcd's revision) shared by all types; every write bumps it
///   and appends to one event log. Objects get `uid`, `resourceVersion`, `generation` (1 on create,
///   +1 when anything but metadata — and status, if it has its own subresource — changes, the
///   custom-resource rule) and `creationTimestamp`. A write that changes nothing is not stored and
///   emits no event (etcd's `GuaranteedUpdate` behaviour).
/// - Lists are in etcd key order (`namespace/name`), consistent across pages at the first page's
///   resourceVersion: `limit`, `continue` (the apiserver's own token format, base64url of
///   `{"v":"meta.k8s.io/v1","rv":N,"start":"…\u0000"}`), 410 `Expired` for a compacted continue,
///   400 for `continue` together with a `resourceVersion`, `remainingItemCount` when no selector is
///   used. `resourceVersion=0` ignores `limit` (served from the watch cache), `resourceVersionMatch=Exact`
///   serves the list as of that revision, a resourceVersion newer than the current one is a 504
///   "Too large resource version".
/// - Watches: chunked, one `{"type":…,"object":…}` JSON line per event; replay from the event log
///   after the requested resourceVersion, synthetic ADDED events for resourceVersion unset or `0`,
///   `sendInitialEvents=true` with the `k8s.io/initial-events-end` bookmark, `timeoutSeconds` ends
///   the stream with the terminating chunk, bookmarks only for watches that allowed them. A too-old
///   resourceVersion yields 200 then one ERROR event with a 410 `Expired` Status ("too old resource
///   version: X (Y)"), as the watch cache does; `expiredAsHTTPStatus` switches to a plain HTTP 410.
///   With a label or field selector, an object changing into the view is ADDED and one changing out
///   of it is DELETED, as in the watch cache.
/// - Writes: POST 201 (409 `AlreadyExists`, `generateName`, 422 `Invalid` without a name), PUT 200
///   (409 `Conflict` for a stale `metadata.resourceVersion` or a different `uid`, 404 when absent),
///   PATCH with `application/merge-patch+json` (RFC 7386; a `metadata.resourceVersion` in the patch
///   is a precondition), DELETE 200 with the deleted object (DeleteOptions preconditions honoured),
///   DELETE on a collection, `dryRun=All`. On `/status` only `.status` changes and generation stays;
///   on the main resource of a type with a status subresource `.status` is kept (and dropped on create).
/// - Errors are `Status` objects with the apiserver's reasons and message wording; 401 `Unauthorized`
///   for a missing or unknown bearer token; injected failures carry `Retry-After` and
///   `details.retryAfterSeconds`. Responses carry `Audit-Id` and `Cache-Control: no-cache, private`.
/// - List items of built-in types carry no `kind` and `apiVersion` (only the `<Kind>List` does), as the
///   apiserver's typed encoders write them; custom resources (registered types) keep both, as unstructured
///   objects do. Watch objects always carry both.
/// - Every object carries `metadata.managedFields` (one `Update` entry per writer, named by the first word
///   of the `User-Agent`, with nested `f:` field sets; `subresource: status` for status writes). Clients
///   cannot write them.
/// - Go's zero values are written for fields without `omitempty` and for struct-typed fields: a core/v1
///   Event always has `eventTime` (`null` when the old recorder wrote it), `firstTimestamp`,
///   `lastTimestamp`, `source`, `reportingComponent` and `reportingInstance`.
/// - `resourceVersion`s are opaque: `FakeResourceVersionFormat.opaque` serves non-numeric, unordered ones.
/// - Event TTL: `expireEvents(ttl:)` deletes Events not written for `ttl` (a DELETED on the watch).
/// - `compactAfterNextListPage()` makes the continue token of the next page expire before it is used
///   (410 `Expired`), as an etcd compaction between two pages of a large list does.
/// - Metadata-only requests (`Accept: application/json;as=PartialObjectMetadata[List];g=meta.k8s.io;v=v1`)
///   get `PartialObjectMetadata(List)` with that Content-Type; unsupported conversions such as
///   `as=Table` are skipped in favour of the next acceptable range, or 406 when none is left.
/// - The event log is bounded (`eventLogCapacity`, 10 000 by default); older resourceVersions become
///   too old, which is how etcd compaction looks to clients. `expireResourceVersions()` and
///   `restart()` compact at the current revision, as etcd does: older resourceVersions are gone, the
///   current one stays watchable (so a client's relist after a 410 does not get another 410).
///
/// Simplified, on purpose:
/// - Every version of a type serves the same objects with `apiVersion` rewritten (a CRD with
///   `conversion: None`); core `events` and `events.k8s.io` events are separate stores.
/// - No admission, validation, defaulting, authorization (any authenticated request is allowed),
///   namespace existence checks, finalizers or graceful deletion (deletes are immediate),
///   server-side apply or JSON Patch (both 415). `managedFields` field sets follow the object's shape,
///   not the type's schema (atomic structs, list map keys). Strategic merge patch is applied as
///   a JSON merge patch (no merge keys, no `$patch` directives).
/// - No aggregated discovery (`apidiscovery.k8s.io/v2`): clients fall back to the legacy documents,
///   as they do with older apiservers. No protobuf, no Table conversion.
/// - Field selectors accept any dotted path with `=`, `==`, `!=` (the apiserver allows a per-type list).
/// - A watch without `timeoutSeconds` stays open until the client, `restart()`, `shutdown()` or
///   `dropWatchConnections()` ends it; bookmarks are sent only by `sendBookmarks()`. A watch or list
///   from a future resourceVersion is answered at once (no waiting for the revision).
/// - Authentication is checked before injected failures; the request log keeps the last 10 000 requests.
/// - Seeded at start: namespaces `default`, `kube-system`, `kube-public`, `kube-node-lease`.
/// - Test-side `create`/`update` bypass the HTTP rules about status (they store `.status` as given).
public final class FakeKubeAPIServer: Sendable {
    /// The bound TCP port on 127.0.0.1.
    public let port: Int
    /// The TLS material when serving HTTPS (also used by `kubeconfig`), nil for plain HTTP.
    public let tls: TestTLS?
    private let channel: any Channel
    private let store: FakeKubeStore
    private let control: FakeKubeControl

    /// `http://127.0.0.1:PORT`, or `https://127.0.0.1:PORT` with TLS (the test server certificate has
    /// the IP SAN `127.0.0.1`).
    public var baseURL: String {
        "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)"
    }

    private init(port: Int, tls: TestTLS?, channel: any Channel, store: FakeKubeStore, control: FakeKubeControl) {
        self.port = port
        self.tls = tls
        self.channel = channel
        self.store = store
        self.control = control
    }

    /// Binds 127.0.0.1:0 and starts serving the built-in types: core/v1 `events`, `secrets`,
    /// `configmaps`, `namespaces` (with status), `coordination.k8s.io/v1` `leases` and
    /// `events.k8s.io/v1` `events`. With `tls` it serves HTTPS; `.clientCertificate` auth requires
    /// `tls` and makes the handshake demand a client certificate signed by its CA.
    public static func start(
        tls: TestTLS? = nil, auth: FakeKubeAuth = .none, eventLogCapacity: Int = 10_000,
        resourceVersions: FakeResourceVersionFormat = .etcdRevision
    ) async throws
        -> FakeKubeAPIServer
    {
        var tls = tls
        var acceptedTokens: Set<String>?
        switch auth {
        case .none:
            break
        case .bearerToken(let tokens):
            acceptedTokens = tokens
        case .clientCertificate:
            guard tls != nil else {
                throw FakeKubeError(
                    code: 500, reason: "InternalError",
                    message: "FakeKubeAuth.clientCertificate needs TLS: pass tls: TestTLS() to FakeKubeAPIServer.start")
            }
            tls?.requireClientCertificate = true
        }
        let sslContext = try tls?.makeServerContext()
        let store = FakeKubeStore(logCapacity: eventLogCapacity, format: resourceVersions)
        let control = FakeKubeControl(acceptedTokens: acceptedTokens)
        try seed(store)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                control.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let sslContext {
                        try pipeline.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    try pipeline.addHandler(FakeKubeHTTPHandler(store: store, control: control))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else {
            channel.close(promise: nil)
            throw TestSupportError.noLocalPort(server: "FakeKubeAPIServer")
        }
        return FakeKubeAPIServer(port: port, tls: tls, channel: channel, store: store, control: control)
    }

    private static func seed(_ store: FakeKubeStore) throws {
        // Zero values as Go writes them: struct-typed fields are never omitted, a zero metav1.Time is null.
        let coreEventZeroValues = JSONObject([
            ("involvedObject", .object(JSONObject())), ("source", .object(JSONObject())), ("firstTimestamp", .null),
            ("lastTimestamp", .null), ("eventTime", .null), ("reportingComponent", ""), ("reportingInstance", ""),
        ])
        let eventsV1ZeroValues = JSONObject([
            ("eventTime", .null), ("regarding", .object(JSONObject())), ("deprecatedSource", .object(JSONObject())),
            ("deprecatedFirstTimestamp", .null), ("deprecatedLastTimestamp", .null),
        ])
        let structOnly = { (name: String) in JSONObject([(name, .object(JSONObject()))]) }
        let builtIns = [
            FakeResourceType(
                group: "", versions: ["v1"], resource: "namespaces", kind: "Namespace", namespaced: false, statusSubresource: true,
                shortNames: ["ns"], builtIn: true, zeroValueFields: structOnly("spec")),
            FakeResourceType(
                group: "", versions: ["v1"], resource: "events", kind: "Event", namespaced: true, statusSubresource: false,
                shortNames: ["ev"], builtIn: true, zeroValueFields: coreEventZeroValues),
            FakeResourceType(
                group: "", versions: ["v1"], resource: "secrets", kind: "Secret", namespaced: true, statusSubresource: false,
                builtIn: true),
            FakeResourceType(
                group: "", versions: ["v1"], resource: "configmaps", kind: "ConfigMap", namespaced: true, statusSubresource: false,
                shortNames: ["cm"], builtIn: true),
            FakeResourceType(
                group: "coordination.k8s.io", versions: ["v1"], resource: "leases", kind: "Lease", namespaced: true,
                statusSubresource: false, builtIn: true, zeroValueFields: structOnly("spec")),
            FakeResourceType(
                group: "events.k8s.io", versions: ["v1"], resource: "events", kind: "Event", namespaced: true, statusSubresource: false,
                shortNames: ["ev"], builtIn: true, zeroValueFields: eventsV1ZeroValues),
        ]
        for type in builtIns { store.register(type) }
        let namespaces = builtIns[0]
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let namespace: JSONValue = [
                "metadata": ["name": .string(name), "labels": ["kubernetes.io/metadata.name": .string(name)]],
                "spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Active"],
            ]
            _ = try store.create(namespace, type: namespaces, version: "v1", namespace: nil, viaAPI: false)
        }
    }

    /// Stops listening and closes every open connection, watches included. Idempotent.
    public func shutdown() async throws {
        let connections = control.connections(shuttingDown: true)
        store.dropWatches()
        channel.close(promise: nil)
        try? await channel.closeFuture.get()
        for connection in connections {
            connection.close(promise: nil)
            try? await connection.closeFuture.get()
        }
    }

    // MARK: Types and objects

    /// Serves another resource type (like installing a CRD); registering the same group and
    /// resource again replaces its definition and keeps its objects.
    public func register(_ type: FakeResourceType) {
        store.register(type)
    }

    /// Stores a new object as a POST would (409 `AlreadyExists`, `generateName`, server-filled
    /// metadata, a watch event) but keeps `.status` as given; returns it as stored.
    @discardableResult
    public func create(_ object: JSONValue, group: String, version: String, resource: String, namespace: String?) throws -> JSONValue {
        let type = try store.requireType(group: group, version: version, resource: resource)
        return try store.create(object, type: type, version: version, namespace: namespace, viaAPI: false)
    }

    /// Replaces an object (PUT semantics: 404 when absent, 409 when `metadata.resourceVersion` is set
    /// and stale), status included; returns it as stored.
    @discardableResult
    public func update(_ object: JSONValue, group: String, version: String, resource: String, namespace: String?) throws -> JSONValue {
        let type = try store.requireType(group: group, version: version, resource: resource)
        return try store.update(object, type: type, version: version, namespace: namespace, name: nil, mode: .unrestricted)
    }

    /// Deletes an object at once (a DELETED watch event); throws 404 `NotFound` when absent.
    public func delete(group: String, version: String, resource: String, namespace: String?, name: String) throws {
        let type = try store.requireType(group: group, version: version, resource: resource)
        _ = try store.delete(type, version: version, namespace: namespace, name: name)
    }

    /// The stored object, or nil when it (or the type) does not exist.
    public func get(group: String, version: String, resource: String, namespace: String?, name: String) -> JSONValue? {
        guard let type = store.type(group: group, version: version, resource: resource) else { return nil }
        return try? store.get(type, version: version, namespace: namespace, name: name)
    }

    /// Every stored object of the type (in one namespace, or all with nil), in key order.
    public func list(group: String, version: String, resource: String, namespace: String?) -> [JSONValue] {
        guard let type = store.type(group: group, version: version, resource: resource) else { return [] }
        return (try? store.list(type, version: version, namespace: namespace, options: FakeKubeStore.ListOptions()).items) ?? []
    }

    /// The current global revision (the last write's); ``resourceVersionString`` is how clients see it.
    public var resourceVersion: Int {
        store.currentResourceVersion
    }

    /// The current resourceVersion as clients see it, in the server's ``FakeResourceVersionFormat``.
    public var resourceVersionString: String {
        store.format.string(store.currentResourceVersion)
    }

    // MARK: Fault injection

    /// Closes every open watch connection mid-stream, without the terminating chunk, as a broken
    /// connection or a crashing apiserver would.
    public func dropWatchConnections() {
        store.dropWatches()
    }

    /// While true, open watches send nothing (events queue up and are delivered in order once set
    /// back to false), so clients' idle and stall detection can be tested.
    public func stallWatches(_ stalled: Bool) {
        store.stallWatches(stalled)
    }

    /// Answers the next `count` requests (those whose path equals `path`; a `path` containing `?` is
    /// compared with the whole request target; nil matches all) with a `Status` of `status`, plus a
    /// `Retry-After` header when given. Checked after authentication; rules are used in the order added.
    /// Holds every answer to requests for `path` (nil: no more delay) for `delay`, as a slow or
    /// distant API server would; other connections are served meanwhile.
    public func delayResponses(to path: String, by delay: Duration?) {
        control.delay(
            path: path, by: delay.map { .nanoseconds($0.components.seconds * 1_000_000_000 + $0.components.attoseconds / 1_000_000_000) })
    }

    public func failNextRequests(status: Int, count: Int, retryAfterSeconds: Int? = nil, matching path: String? = nil) {
        control.failNext(status: status, count: count, retryAfterSeconds: retryAfterSeconds, path: path)
    }

    /// Compacts the history at the current revision, as etcd compaction does: every older
    /// resourceVersion becomes too old (watches from it, continue tokens and exact lists at it get
    /// 410 `Expired`), while the current one (a list taken now) stays watchable; objects are kept.
    public func expireResourceVersions() {
        store.expireResourceVersions()
    }

    /// Deletes every Event (core/v1 and `events.k8s.io/v1`) that was last written more than `ttl` ago,
    /// as the apiserver's `--event-ttl` (1 h by default) does: each is a DELETED on the watch and is gone
    /// from the next list. Returns how many expired.
    @discardableResult
    public func expireEvents(ttl: Duration) -> Int {
        store.expireEvents(ttl: ttl)
    }

    /// Compacts the history right after the next list page that has a continue token is served, so
    /// that token is already too old when the client asks for the following page (410 `Expired`): what
    /// an etcd compaction between two pages of a large list does. The client must list again from the start.
    public func compactAfterNextListPage() {
        store.compactAfterNextListPage()
    }

    /// Sends a BOOKMARK event carrying the current resourceVersion to every watch that asked for
    /// bookmarks (`allowWatchBookmarks=true`).
    public func sendBookmarks() {
        store.sendBookmarks()
    }

    /// Writes raw bytes to every open watch stream (blank keep-alive lines, a split frame).
    public func writeToWatches(_ bytes: [UInt8]) {
        store.writeToWatches(bytes)
    }

    /// When true, a watch from a too-old resourceVersion is answered with HTTP 410 and a `Status`
    /// body instead of 200 and an ERROR event (both occur in the wild, so clients must handle both).
    public var expiredAsHTTPStatus: Bool {
        get { store.expiredAsHTTPStatus }
        set { store.expiredAsHTTPStatus = newValue }
    }

    /// Like an apiserver restart: every connection is dropped and the history compacted (old
    /// resourceVersions give 410), while objects, types and the port stay.
    public func restart() async throws {
        store.dropWatches()
        for connection in control.connections(shuttingDown: false) {
            connection.close(promise: nil)
            try? await connection.closeFuture.get()
        }
        store.expireResourceVersions()
    }

    /// Replaces the accepted bearer tokens (token rotation); on a server started without token auth
    /// this turns it on.
    public func setAcceptedTokens(_ tokens: Set<String>) {
        control.setAcceptedTokens(tokens)
    }

    // MARK: Observation

    /// The requests received so far (the last 10 000), in arrival order, rejected ones included.
    public var requestLog: [FakeKubeRequest] {
        get async { control.requests }
    }

    /// Forgets the recorded requests, so a test can look at what happens after a point.
    public func clearRequestLog() {
        control.clearRequests()
    }

    /// How many watches are open and registered for live events.
    public var watchCount: Int {
        store.watchCount
    }

    /// Waits until at least `count` watches are open; throws a 504 `Timeout` error after `timeout`.
    public func waitForWatches(count: Int, timeout: Duration = .seconds(10)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while store.watchCount < count {
            guard clock.now < deadline else {
                throw FakeKubeError(
                    code: 504, reason: "Timeout",
                    message: "timed out after \(timeout) waiting for \(count) watch(es); \(store.watchCount) open")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// A kubeconfig (YAML) for this server: one cluster (with `certificate-authority-data` when
    /// serving TLS), one user with `token` and/or `client-certificate-data`/`client-key-data` (the
    /// TestTLS client certificate; only with TLS), one context with `namespace`, set as current.
    public func kubeconfig(token: String?, clientCertificate: Bool, namespace: String = "default") -> String {
        func quoted(_ text: String) -> String { JSONWriter.string(.string(text)) }
        var cluster = "    server: \(quoted(baseURL))\n"
        var user = ""
        if let tls {
            cluster += "    certificate-authority-data: \(FakeKubeEncoding.base64(tls.caPEM.utf8))\n"
            if clientCertificate {
                user += "    client-certificate-data: \(FakeKubeEncoding.base64(tls.clientCertificatePEM.utf8))\n"
                user += "    client-key-data: \(FakeKubeEncoding.base64(tls.clientKeyPEM.utf8))\n"
            }
        }
        if let token { user += "    token: \(quoted(token))\n" }
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake-kube
              cluster:
            \(cluster)users:
            - name: fake-kube-user
              user:\(user.isEmpty ? " {}\n" : "\n" + user)contexts:
            - name: fake-kube
              context:
                cluster: fake-kube
                user: fake-kube-user
                namespace: \(quoted(namespace))
            current-context: fake-kube
            preferences: {}

            """
    }
}
