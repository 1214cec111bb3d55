import HeraldJSON
import NIOCore
import NIOHTTP1
import Synchronization

/// The data side of a `FakeKubeAPIServer`: resource types, objects, the global resourceVersion,
/// the bounded watch event log and the open watches, all behind one lock so every write is atomic
/// and reaches watches in commit order (etcd's model: one revision counter, a compactable history).
final class FakeKubeStore: Sendable {
    /// A resource type's identity: objects are shared by all its versions.
    struct TypeKey: Hashable, Sendable {
        let group: String
        let resource: String

        init(group: String, resource: String) {
            self.group = group
            self.resource = resource
        }

        init(_ type: FakeResourceType) {
            group = type.group
            resource = type.resource
        }
    }

    enum ChangeKind: Sendable {
        case added, modified, deleted
    }

    /// One committed write, kept so watches can replay from a resourceVersion and lists can be
    /// served as of an older resourceVersion (continue tokens, `resourceVersionMatch=Exact`).
    struct LogEntry: Sendable {
        let resourceVersion: Int
        let typeKey: TypeKey
        let kind: ChangeKind
        let key: String
        /// The state after the write; for a deletion the last state, at the deletion's resourceVersion.
        let object: JSONValue
        /// The state before the write (nil for a creation).
        let previous: JSONValue?
    }

    /// How an update treats `.status` and the rest of the object.
    enum UpdateMode {
        /// PUT/PATCH on the resource: with a status subresource the stored status is kept.
        case main
        /// PUT/PATCH on `/status`: only `.status` changes; generation stays.
        case status
        /// Test-side replace: everything but server-managed metadata, including status.
        case unrestricted
    }

    /// List parameters after parsing.
    struct ListOptions: Sendable {
        var labels = FakeKubeSelector.everything
        var fields = FakeKubeSelector.everything
        var limit: Int?
        var continueToken: String?
        var resourceVersion: String?
        var resourceVersionMatch: String?
    }

    /// One page of a list.
    struct ListPage: Sendable {
        var items: [JSONValue]
        var resourceVersion: Int
        var continueToken: String?
        var remainingItemCount: Int?
    }

    private struct State {
        var types: [TypeKey: FakeResourceType] = [:]
        var typeOrder: [TypeKey] = []
        var objects: [TypeKey: [String: JSONValue]] = [:]
        var resourceVersion = 0
        var log: [LogEntry] = []
        let logCapacity: Int
        /// The smallest resourceVersion a watch, continue token or exact list may start from:
        /// every change after it is still in `log`.
        var oldestAvailable = 0
        var watches: [Int: FakeKubeWatch] = [:]
        var nextWatchID = 1
        var stalled = false
        var expiredAsHTTPStatus = false
        /// Compact right after the next list page that has a continue token.
        var compactAfterNextPage = false
        /// When each stored object was last written, for the Event TTL.
        var lastWrite: [TypeKey: [String: ContinuousClock.Instant]] = [:]
        /// How resourceVersions are written; fixed at start.
        let format: FakeResourceVersionFormat
    }

    private let state: Mutex<State>
    /// How resourceVersions are written.
    let format: FakeResourceVersionFormat

    init(logCapacity: Int, format: FakeResourceVersionFormat = .etcdRevision) {
        self.format = format
        state = Mutex(State(logCapacity: max(1, logCapacity), format: format))
    }

    // MARK: Types

    func register(_ type: FakeResourceType) {
        let key = TypeKey(type)
        state.withLock { state in
            if state.types[key] == nil { state.typeOrder.append(key) }
            state.types[key] = type
        }
    }

    /// Every registered type in registration order.
    var types: [FakeResourceType] {
        state.withLock { state in state.typeOrder.compactMap { state.types[$0] } }
    }

    /// The type served at `group/version/resource`, or nil.
    func type(group: String, version: String, resource: String) -> FakeResourceType? {
        state.withLock { state in
            state.types[TypeKey(group: group, resource: resource)].flatMap { $0.versions.contains(version) ? $0 : nil }
        }
    }

    /// The registered type for test-side calls, or 404 as the HTTP side would answer.
    func requireType(group: String, version: String, resource: String) throws -> FakeResourceType {
        guard let type = type(group: group, version: version, resource: resource) else { throw FakeKubeError.resourceNotFound }
        return type
    }

    // MARK: Reads

    var currentResourceVersion: Int {
        state.withLock { $0.resourceVersion }
    }

    var watchCount: Int {
        state.withLock { $0.watches.count }
    }

    var expiredAsHTTPStatus: Bool {
        get { state.withLock { $0.expiredAsHTTPStatus } }
        set { state.withLock { $0.expiredAsHTTPStatus = newValue } }
    }

    func get(_ type: FakeResourceType, version: String, namespace: String?, name: String) throws -> JSONValue {
        let key = try objectKey(type, namespace: namespace, name: name)
        guard let object = state.withLock({ $0.objects[TypeKey(type)]?[key] }) else {
            throw FakeKubeError.notFound(type, name: name)
        }
        return FakeKubeObjects.rendered(object, type: type, version: version)
    }

    /// Lists like etcd: keys (`namespace/name`) in byte order, one consistent snapshot across pages.
    func list(_ type: FakeResourceType, version: String, namespace: String?, options: ListOptions) throws -> ListPage {
        try state.withLock { state in
            var snapshot = state.resourceVersion
            var startKey: [UInt8] = []
            var honourLimit = true
            if let token = options.continueToken, !token.isEmpty {
                if let requested = options.resourceVersion, !requested.isEmpty, requested != "0" {
                    throw FakeKubeError.badRequest("specifying resource version is not allowed when using continue")
                }
                guard let (resourceVersion, start) = Self.decodeContinue(token) else {
                    throw FakeKubeError.badRequest("continue key is not valid: \(token)")
                }
                guard resourceVersion >= state.oldestAvailable else { throw FakeKubeError.expired(Self.continueExpiredMessage) }
                snapshot = resourceVersion
                startKey = Array(start.utf8)
            } else {
                switch (options.resourceVersion ?? "", options.resourceVersionMatch ?? "") {
                case ("", ""):
                    break
                case ("", _):
                    throw FakeKubeError(
                        code: 422, reason: "Invalid",
                        message: "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: "
                            + "resourceVersionMatch is forbidden unless resourceVersion is provided")
                case ("0", ""), ("0", "NotOlderThan"):
                    // Served from the watch cache, which ignores `limit` (API concepts: "resourceVersion=0
                    // ... the server may ignore limit").
                    honourLimit = false
                case (let text, let match):
                    guard let requested = state.format.revision(text) else {
                        throw FakeKubeError.badRequest("invalid resource version: \(text)")
                    }
                    guard requested <= state.resourceVersion else {
                        throw Self.tooLargeResourceVersion(text, current: state.format.string(state.resourceVersion))
                    }
                    switch match {
                    case "", "NotOlderThan": break
                    case "Exact" where requested == 0:
                        throw FakeKubeError(
                            code: 422, reason: "Invalid",
                            message: "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: "
                                + "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"")
                    case "Exact":
                        guard requested >= state.oldestAvailable else {
                            throw FakeKubeError.tooOldResourceVersion(text, oldest: state.format.string(state.oldestAvailable))
                        }
                        snapshot = requested
                    default:
                        throw FakeKubeError(
                            code: 422, reason: "Invalid",
                            message: "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Unsupported value: \"\(match)\"")
                    }
                }
            }
            let objects = Self.objects(in: state, type: type, at: snapshot)
            var keys = objects.keys.filter { key in
                guard let object = objects[key] else { return false }
                if let namespace, FakeKubeObjects.metadataString(object, "namespace") != namespace { return false }
                return options.labels.matches(object) && options.fields.matches(object)
            }
            keys.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            if !startKey.isEmpty { keys = keys.filter { !$0.utf8.lexicographicallyPrecedes(startKey) } }
            var page = ListPage(items: [], resourceVersion: snapshot)
            if honourLimit, let limit = options.limit, limit > 0, keys.count > limit {
                let last = keys[limit - 1]
                page.continueToken = Self.encodeContinue(resourceVersion: snapshot, start: last + "\u{0}")
                if options.labels.isEmpty && options.fields.isEmpty { page.remainingItemCount = keys.count - limit }
                keys = Array(keys.prefix(limit))
            }
            page.items = keys.compactMap { objects[$0] }.map { FakeKubeObjects.rendered($0, type: type, version: version) }
            if page.continueToken != nil, state.compactAfterNextPage {
                // A write elsewhere (etcd's revision is global, other components write all the time), then a
                // compaction: the snapshot this page was served at is gone, the current revision is not.
                state.compactAfterNextPage = false
                state.resourceVersion += 1
                Self.compact(&state)
            }
            return page
        }
    }

    /// Every object of `type` as of `resourceVersion`, rebuilt from the current state by undoing
    /// newer log entries (needs `resourceVersion >= oldestAvailable`).
    private static func objects(in state: State, type: FakeResourceType, at resourceVersion: Int) -> [String: JSONValue] {
        let typeKey = TypeKey(type)
        var objects = state.objects[typeKey] ?? [:]
        for entry in state.log.reversed() {
            guard entry.resourceVersion > resourceVersion else { break }
            guard entry.typeKey == typeKey else { continue }
            objects[entry.key] = entry.previous
        }
        return objects
    }

    // MARK: Writes

    /// Creates `object`. `viaAPI` applies the apiserver's create rules (status dropped when the type
    /// has a status subresource); test-side creates keep everything they are given. `manager` names the
    /// writer in `metadata.managedFields`.
    func create(
        _ object: JSONValue, type: FakeResourceType, version: String, namespace: String?, viaAPI: Bool, dryRun: Bool = false,
        manager: String = FakeManagedFields.testManager
    ) throws -> JSONValue {
        guard case .object(var body) = object else {
            throw FakeKubeError.badRequest("the object provided is unrecognized (must be of type \(type.kind)): not a JSON object")
        }
        try Self.checkKind(body, type: type)
        var metadata = body["metadata"]?.objectValue ?? JSONObject()
        metadata["namespace"] = try Self.namespace(of: metadata, type: type, requestNamespace: namespace)
        if viaAPI && type.statusSubresource { body["status"] = nil }
        return try state.withLock { state in
            let typeKey = TypeKey(type)
            var name = metadata["name"]?.stringValue ?? ""
            if name.isEmpty {
                guard let generateName = metadata["generateName"]?.stringValue, !generateName.isEmpty else {
                    throw FakeKubeError.invalid(type, name: "", field: "metadata.name", detail: "name or generateName is required")
                }
                repeat {
                    name = generateName + FakeKubeEncoding.randomNameSuffix()
                } while state.objects[typeKey]?[Self.key(type, namespace: metadata["namespace"]?.stringValue, name: name)] != nil
            }
            let key = Self.key(type, namespace: metadata["namespace"]?.stringValue, name: name)
            guard state.objects[typeKey]?[key] == nil else { throw FakeKubeError.alreadyExists(type, name: name) }
            let resourceVersion = state.resourceVersion + 1
            let now = FakeKubeEncoding.now()
            metadata["name"] = .string(name)
            metadata["uid"] = .string(FakeKubeEncoding.randomUUID())
            metadata["resourceVersion"] = .string(state.format.string(resourceVersion))
            // Custom resources count spec changes in `generation`; ConfigMaps, Events, Leases and the like have none.
            metadata["generation"] = type.builtIn ? nil : 1
            metadata["creationTimestamp"] = .string(now)
            metadata["managedFields"] = nil
            body["metadata"] = .object(metadata)
            var stored = FakeKubeObjects.normalized(body, type: type, apiVersion: type.apiVersion(version))
            stored = FakeManagedFields.recording(
                stored, previous: nil, manager: manager, subresource: nil, type: type, apiVersion: type.apiVersion(version), time: now)
            if !dryRun {
                state.resourceVersion = resourceVersion
                state.objects[typeKey, default: [:]][key] = stored
                state.lastWrite[typeKey, default: [:]][key] = .now
                Self.append(
                    LogEntry(resourceVersion: resourceVersion, typeKey: typeKey, kind: .added, key: key, object: stored, previous: nil),
                    to: &state)
            }
            return FakeKubeObjects.rendered(stored, type: type, version: version)
        }
    }

    /// Replaces the object named by the body (or `name`, from the URL) with `object`, with
    /// optimistic concurrency when the body carries `metadata.resourceVersion`.
    func update(
        _ object: JSONValue, type: FakeResourceType, version: String, namespace: String?, name: String?, mode: UpdateMode,
        dryRun: Bool = false, manager: String = FakeManagedFields.testManager
    ) throws -> JSONValue {
        guard case .object(let body) = object else {
            throw FakeKubeError.badRequest("the object provided is unrecognized (must be of type \(type.kind)): not a JSON object")
        }
        try Self.checkKind(body, type: type)
        let metadata = body["metadata"]?.objectValue ?? JSONObject()
        let bodyName = metadata["name"]?.stringValue ?? ""
        if let name, !bodyName.isEmpty, bodyName != name {
            throw FakeKubeError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        let effectiveName = name ?? bodyName
        guard !effectiveName.isEmpty else {
            throw FakeKubeError.invalid(type, name: "", field: "metadata.name", detail: "name is required")
        }
        let objectNamespace = try Self.namespace(of: metadata, type: type, requestNamespace: namespace)?.stringValue
        let key = Self.key(type, namespace: objectNamespace, name: effectiveName)
        return try state.withLock { state in
            guard let old = state.objects[TypeKey(type)]?[key] else { throw FakeKubeError.notFound(type, name: effectiveName) }
            return try Self.commitUpdate(
                old: old, new: object, key: key, type: type, version: version, mode: mode, dryRun: dryRun, manager: manager,
                state: &state)
        }
    }

    /// Applies a JSON merge patch (RFC 7386) to the stored object, then updates it like a PUT.
    func patch(
        _ patch: JSONValue, type: FakeResourceType, version: String, namespace: String?, name: String, mode: UpdateMode,
        dryRun: Bool = false, manager: String = FakeManagedFields.testManager
    ) throws -> JSONValue {
        guard case .object = patch else {
            throw FakeKubeError.badRequest("the patch must be a JSON object")
        }
        let key = try objectKey(type, namespace: namespace, name: name)
        return try state.withLock { state in
            guard let old = state.objects[TypeKey(type)]?[key] else { throw FakeKubeError.notFound(type, name: name) }
            let patched = FakeKubeMergePatch.apply(patch, to: old)
            return try Self.commitUpdate(
                old: old, new: patched, key: key, type: type, version: version, mode: mode, dryRun: dryRun, manager: manager,
                state: &state)
        }
    }

    /// Deletes immediately (no finalizers, no graceful deletion) and returns the last state at the
    /// deletion's resourceVersion.
    func delete(
        _ type: FakeResourceType, version: String, namespace: String?, name: String, preconditions: JSONValue? = nil,
        dryRun: Bool = false
    ) throws -> JSONValue {
        let key = try objectKey(type, namespace: namespace, name: name)
        return try state.withLock { state in
            try Self.delete(key: key, name: name, type: type, version: version, preconditions: preconditions, dryRun: dryRun, state: &state)
        }
    }

    /// Deletes every object in the list's view; returns the deleted objects.
    func deleteCollection(
        _ type: FakeResourceType, version: String, namespace: String?, labels: FakeKubeSelector, fields: FakeKubeSelector,
        dryRun: Bool = false
    ) throws -> [JSONValue] {
        try state.withLock { state in
            let objects = state.objects[TypeKey(type)] ?? [:]
            let keys = objects.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.filter { key in
                guard let object = objects[key] else { return false }
                if let namespace, FakeKubeObjects.metadataString(object, "namespace") != namespace { return false }
                return labels.matches(object) && fields.matches(object)
            }
            return try keys.map { key in
                let name = objects[key].flatMap { FakeKubeObjects.metadataString($0, "name") } ?? key
                return try Self.delete(
                    key: key, name: name, type: type, version: version, preconditions: nil, dryRun: dryRun, state: &state)
            }
        }
    }

    private static func delete(
        key: String, name: String, type: FakeResourceType, version: String, preconditions: JSONValue?, dryRun: Bool,
        state: inout State
    ) throws -> JSONValue {
        let typeKey = TypeKey(type)
        guard let old = state.objects[typeKey]?[key] else { throw FakeKubeError.notFound(type, name: name) }
        if let wanted = preconditions?["resourceVersion"]?.stringValue,
            let actual = FakeKubeObjects.metadataString(old, "resourceVersion"), wanted != actual
        {
            throw FakeKubeError.conflict(
                type, name: name,
                why: "Precondition failed: ResourceVersion in precondition: \(wanted), ResourceVersion in object meta: \(actual)")
        }
        if let wanted = preconditions?["uid"]?.stringValue, let actual = FakeKubeObjects.metadataString(old, "uid"), wanted != actual {
            throw FakeKubeError.conflict(
                type, name: name, why: "Precondition failed: UID in precondition: \(wanted), UID in object meta: \(actual)")
        }
        let resourceVersion = state.resourceVersion + 1
        let deleted = FakeKubeObjects.updatingMetadata(old) { $0["resourceVersion"] = .string(state.format.string(resourceVersion)) }
        if !dryRun {
            state.resourceVersion = resourceVersion
            state.objects[typeKey]?[key] = nil
            state.lastWrite[typeKey]?[key] = nil
            append(
                LogEntry(resourceVersion: resourceVersion, typeKey: typeKey, kind: .deleted, key: key, object: deleted, previous: old),
                to: &state)
        }
        return FakeKubeObjects.rendered(deleted, type: type, version: version)
    }

    /// The update rules shared by PUT, PATCH and test-side updates: preconditions, server-managed
    /// metadata, the status split, generation, and no new resourceVersion for a no-op write
    /// (etcd's GuaranteedUpdate skips writing identical bytes, so no watch event either).
    private static func commitUpdate(
        old: JSONValue, new: JSONValue, key: String, type: FakeResourceType, version: String, mode: UpdateMode, dryRun: Bool,
        manager: String, state: inout State
    ) throws -> JSONValue {
        guard case .object(var candidate) = new, case .object(let oldMembers) = old else {
            throw FakeKubeError.badRequest("the object provided is unrecognized (must be of type \(type.kind)): not a JSON object")
        }
        let oldMetadata = FakeKubeObjects.metadata(old)
        let newMetadata = candidate["metadata"]?.objectValue ?? JSONObject()
        let name = oldMetadata["name"]?.stringValue ?? key
        if let wanted = newMetadata["resourceVersion"]?.stringValue, !wanted.isEmpty,
            wanted != oldMetadata["resourceVersion"]?.stringValue
        {
            throw FakeKubeError.conflict(type, name: name)
        }
        if let wanted = newMetadata["uid"]?.stringValue, !wanted.isEmpty, let actual = oldMetadata["uid"]?.stringValue, wanted != actual {
            throw FakeKubeError.conflict(
                type, name: name, why: "Precondition failed: UID in precondition: \(wanted), UID in object meta: \(actual)")
        }
        switch mode {
        case .status:
            var updated = oldMembers
            updated["status"] = candidate["status"]
            candidate = updated
        case .main:
            var metadata = newMetadata
            for field in [
                "name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "generation", "resourceVersion", "managedFields",
            ] {
                metadata[field] = oldMetadata[field]
            }
            candidate["metadata"] = .object(metadata)
            if type.statusSubresource { candidate["status"] = oldMembers["status"] }
        case .unrestricted:
            var metadata = newMetadata
            for field in ["name", "namespace", "uid", "creationTimestamp", "generation", "resourceVersion", "managedFields"] {
                metadata[field] = oldMetadata[field]
            }
            candidate["metadata"] = .object(metadata)
        }
        var result = FakeKubeObjects.normalized(candidate, type: type, apiVersion: type.apiVersion(version))
        if !type.builtIn && mode != .status && specChanged(old: old, new: result, type: type) {
            let generation = (oldMetadata["generation"]?.intValue ?? 0) + 1
            result = FakeKubeObjects.updatingMetadata(result) { $0["generation"] = .integer(generation) }
        }
        let comparable = FakeKubeObjects.rendered(old, type: type, version: version)
        guard result != comparable else { return comparable }
        let resourceVersion = state.resourceVersion + 1
        result = FakeKubeObjects.updatingMetadata(result) { $0["resourceVersion"] = .string(state.format.string(resourceVersion)) }
        result = FakeManagedFields.recording(
            result, previous: old, manager: manager, subresource: mode == .status ? "status" : nil, type: type,
            apiVersion: type.apiVersion(version), time: FakeKubeEncoding.now())
        if !dryRun {
            let typeKey = TypeKey(type)
            state.resourceVersion = resourceVersion
            state.objects[typeKey]?[key] = result
            state.lastWrite[typeKey, default: [:]][key] = .now
            append(
                LogEntry(resourceVersion: resourceVersion, typeKey: typeKey, kind: .modified, key: key, object: result, previous: old),
                to: &state)
        }
        return FakeKubeObjects.rendered(result, type: type, version: version)
    }

    /// Whether anything but metadata (and status, when it has its own subresource) changed: the
    /// rule by which custom resources bump `metadata.generation`.
    private static func specChanged(old: JSONValue, new: JSONValue, type: FakeResourceType) -> Bool {
        func content(_ object: JSONValue) -> JSONObject {
            var members = object.objectValue ?? JSONObject()
            for field in ["kind", "apiVersion", "metadata"] { members[field] = nil }
            if type.statusSubresource { members["status"] = nil }
            return members
        }
        return content(old) != content(new)
    }

    /// Appends a committed change to the log (dropping the oldest beyond capacity, which makes
    /// their resourceVersions too old, like etcd compaction) and sends it to matching watches.
    private static func append(_ entry: LogEntry, to state: inout State) {
        state.log.append(entry)
        if state.log.count > state.logCapacity {
            let excess = state.log.count - state.logCapacity
            state.oldestAvailable = max(state.oldestAvailable, state.log[excess - 1].resourceVersion)
            state.log.removeFirst(excess)
        }
        for watch in state.watches.values {
            if let line = watch.spec.line(for: entry, format: state.format) { watch.enqueue([.line(line)]) }
        }
    }

    // MARK: Watches

    /// Opens a watch: queues the response head and the replay (log entries after the requested
    /// resourceVersion, or synthetic ADDED events for RV unset/"0") and registers the watch for
    /// live events, atomically with respect to writes. A too-old resourceVersion gives a 200 with one
    /// ERROR event (what the watch cache does), or throws 410 when `expiredAsHTTPStatus` is set.
    func openWatch(_ spec: FakeKubeWatch.Spec, head: HTTPResponseHead, channel: any Channel, keepAlive: Bool) throws -> FakeKubeWatch {
        try state.withLock { state in
            let requested = spec.resourceVersion ?? ""
            var startFrom: Int?
            if requested != "" && requested != "0" {
                guard let value = state.format.revision(requested) else {
                    throw FakeKubeError.badRequest("invalid resource version: \(requested)")
                }
                startFrom = value
            }
            let sendInitial = spec.sendInitialEvents ?? (startFrom == nil)
            let id = state.nextWatchID
            state.nextWatchID += 1
            let watch = FakeKubeWatch(id: id, spec: spec, channel: channel, keepAlive: keepAlive, stalled: state.stalled)
            var items: [FakeKubeWatch.Item] = [.head(head)]
            if let startFrom, !sendInitial, startFrom < state.oldestAvailable {
                let error = FakeKubeError.tooOldResourceVersion(requested, oldest: state.format.string(state.oldestAvailable))
                if state.expiredAsHTTPStatus { throw error }
                items.append(.line(FakeKubeObjects.watchEventLine(type: "ERROR", object: error.status)))
                items.append(.end)
                watch.enqueue(items)
                return watch
            }
            if sendInitial {
                let objects = state.objects[TypeKey(spec.type)] ?? [:]
                for key in objects.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                    if let object = objects[key], spec.matches(object) { items.append(.line(spec.line("ADDED", object))) }
                }
                if spec.sendInitialEvents == true && spec.allowBookmarks {
                    items.append(
                        .line(
                            spec.bookmarkLine(
                                resourceVersion: state.format.string(state.resourceVersion),
                                annotations: ["k8s.io/initial-events-end": "true"]))
                    )
                }
            } else if let startFrom {
                for entry in state.log where entry.resourceVersion > startFrom {
                    if let line = spec.line(for: entry, format: state.format) { items.append(.line(line)) }
                }
            }
            watch.enqueue(items)
            state.watches[id] = watch
            return watch
        }
    }

    /// Ends a watch cleanly (terminating chunk), e.g. when its `timeoutSeconds` elapse.
    func endWatch(id: Int) {
        let watch = state.withLock { $0.watches.removeValue(forKey: id) }
        watch?.enqueue([.end])
    }

    /// Forgets a watch whose connection closed.
    func removeWatch(id: Int) {
        let watch = state.withLock { $0.watches.removeValue(forKey: id) }
        watch?.finish()
    }

    /// Closes every watch connection without the terminating chunk.
    func dropWatches() {
        let watches = state.withLock { state in
            defer { state.watches = [:] }
            return Array(state.watches.values)
        }
        for watch in watches { watch.drop() }
    }

    func stallWatches(_ stalled: Bool) {
        state.withLock { state in
            state.stalled = stalled
            for watch in state.watches.values { watch.setStalled(stalled) }
        }
    }

    /// Sends a BOOKMARK at the current resourceVersion to every watch that allowed bookmarks.
    func sendBookmarks() {
        state.withLock { state in
            for watch in state.watches.values where watch.spec.allowBookmarks {
                watch.enqueue([.line(watch.spec.bookmarkLine(resourceVersion: state.format.string(state.resourceVersion)))])
            }
        }
    }

    /// Writes `bytes` as they are to every open watch stream: blank keep-alive lines or a frame split
    /// mid-object, as a proxy between client and API server may deliver them.
    func writeToWatches(_ bytes: [UInt8]) {
        state.withLock { state in
            for watch in state.watches.values { watch.enqueue([.line(bytes)]) }
        }
    }

    /// Compacts at the current revision, as etcd does: every older resourceVersion becomes too old,
    /// while a list taken now (at the current revision) can still be watched from.
    func expireResourceVersions() {
        state.withLock { Self.compact(&$0) }
    }

    /// Arms a compaction right after the next list page that has a continue token.
    func compactAfterNextListPage() {
        state.withLock { $0.compactAfterNextPage = true }
    }

    private static func compact(_ state: inout State) {
        state.oldestAvailable = state.resourceVersion
        state.log = []
    }

    /// Deletes every Event (core and `events.k8s.io`) last written more than `ttl` ago, as the
    /// apiserver's `--event-ttl` does through etcd leases: each deletion is a DELETED on the watch.
    /// Returns how many were deleted.
    @discardableResult
    func expireEvents(ttl: Duration) -> Int {
        state.withLock { state in
            let cutoff = ContinuousClock.now - ttl
            var expired = 0
            for typeKey in state.typeOrder where typeKey.resource == "events" {
                guard let type = state.types[typeKey] else { continue }
                let due = (state.lastWrite[typeKey] ?? [:]).filter { $0.value <= cutoff }.keys.sorted()
                for key in due {
                    let name = state.objects[typeKey]?[key].flatMap { FakeKubeObjects.metadataString($0, "name") } ?? key
                    if (try? Self.delete(
                        key: key, name: name, type: type, version: type.versions[0], preconditions: nil, dryRun: false, state: &state))
                        != nil
                    {
                        expired += 1
                    }
                }
            }
            return expired
        }
    }

    // MARK: Keys and checks

    private func objectKey(_ type: FakeResourceType, namespace: String?, name: String) throws -> String {
        if type.namespaced {
            guard let namespace, !namespace.isEmpty else {
                throw FakeKubeError.badRequest("\(type.qualifiedResource) is namespaced: a namespace is required")
            }
            return Self.key(type, namespace: namespace, name: name)
        }
        return Self.key(type, namespace: nil, name: name)
    }

    /// etcd's key under the resource prefix: `namespace/name`, or `name` at cluster scope.
    private static func key(_ type: FakeResourceType, namespace: String?, name: String) -> String {
        type.namespaced ? "\(namespace ?? "")/\(name)" : name
    }

    /// The namespace to store: the request's, which a non-empty body namespace must equal.
    private static func namespace(of metadata: JSONObject, type: FakeResourceType, requestNamespace: String?) throws -> JSONValue? {
        guard type.namespaced else { return nil }
        let bodyNamespace = metadata["namespace"]?.stringValue ?? ""
        guard let requestNamespace, !requestNamespace.isEmpty else {
            guard !bodyNamespace.isEmpty else {
                throw FakeKubeError.badRequest("\(type.qualifiedResource) is namespaced: a namespace is required")
            }
            return .string(bodyNamespace)
        }
        if !bodyNamespace.isEmpty && bodyNamespace != requestNamespace {
            throw FakeKubeError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        return .string(requestNamespace)
    }

    private static func checkKind(_ body: JSONObject, type: FakeResourceType) throws {
        if let kind = body["kind"]?.stringValue, !kind.isEmpty, kind != type.kind {
            throw FakeKubeError.badRequest(
                "the object provided is unrecognized (must be of type \(type.kind)): kind \(kind) does not match")
        }
    }

    // MARK: Continue tokens and messages

    /// The apiserver's continue token: raw-URL base64 of `{"v":"meta.k8s.io/v1","rv":N,"start":"key\u0000"}`.
    static func encodeContinue(resourceVersion: Int, start: String) -> String {
        let token: JSONValue = ["v": "meta.k8s.io/v1", "rv": .integer(resourceVersion), "start": .string(start)]
        return FakeKubeEncoding.base64RawURL(JSONWriter.bytes(token))
    }

    static func decodeContinue(_ token: String) -> (resourceVersion: Int, start: String)? {
        guard let bytes = FakeKubeEncoding.decodeBase64RawURL(token), let value = try? JSONParser.parse(bytes),
            value["v"]?.stringValue == "meta.k8s.io/v1", let resourceVersion = value["rv"]?.intValue, resourceVersion > 0,
            let start = value["start"]?.stringValue
        else { return nil }
        return (resourceVersion, start)
    }

    static let continueExpiredMessage =
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without "
        + "the continue parameter, or use the continue token in this response to retrieve the remainder of the results. "
        + "Continuing with the provided token results in an inconsistent list - objects that were created, modified, or "
        + "deleted between the time the first chunk was returned and now may show up in the list."

    static func tooLargeResourceVersion(_ requested: String, current: String) -> FakeKubeError {
        FakeKubeError(
            code: 504, reason: "Timeout", message: "Too large resource version: \(requested), current: \(current)",
            details: [
                "causes": [["reason": "ResourceVersionTooLarge", "message": "Too large resource version"]],
                "retryAfterSeconds": 1,
            ])
    }
}
