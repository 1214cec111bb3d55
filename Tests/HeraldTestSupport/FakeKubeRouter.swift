import HeraldJSON

/// Maps one request onto the Kubernetes REST API: discovery documents, resource paths
/// (`/api/v1/...`, `/apis/{group}/{version}/...`, with or without `/namespaces/{ns}`), verbs,
/// request and response media types, and query parameters. Watches are handed back as a spec for
/// the connection handler to open.
struct FakeKubeRouter: Sendable {
    /// A complete, non-streaming answer.
    struct Response: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]

        /// JSON with a trailing newline, as the apiserver's encoder writes it.
        static func json(_ value: JSONValue, status: Int = 200, contentType: String = "application/json") -> Response {
            var body = JSONWriter.bytes(value)
            body.append(UInt8(ascii: "\n"))
            return Response(status: status, headers: [("Content-Type", contentType)], body: body)
        }

        /// A `Status` failure, with `Retry-After` when `details.retryAfterSeconds` is set.
        static func failure(_ error: FakeKubeError) -> Response {
            var response = json(error.status, status: error.code)
            if let seconds = error.details?["retryAfterSeconds"]?.intValue {
                response.headers.append(("Retry-After", String(seconds)))
            }
            return response
        }
    }

    enum Route: Sendable {
        case response(Response)
        case watch(FakeKubeWatch.Spec, contentType: String)
    }

    /// How objects are represented in the answer, from the `Accept` header.
    fileprivate enum Representation {
        case full
        /// `PartialObjectMetadata(List)` in `meta.k8s.io/<version>`.
        case metadata(version: String)
    }

    /// The collection, object or subresource a resource path names.
    private struct Target {
        var type: FakeResourceType
        var version: String
        var namespace: String?
        var name: String?
        var subresource: String?
    }

    let store: FakeKubeStore

    func route(_ request: FakeKubeRequest) -> Route {
        do {
            return try routeOrThrow(request)
        } catch let error as FakeKubeError {
            return .response(.failure(error))
        } catch {
            return .response(.failure(FakeKubeError(code: 500, reason: "InternalError", message: "Internal error occurred: \(error)")))
        }
    }

    private func routeOrThrow(_ request: FakeKubeRequest) throws -> Route {
        let segments = request.path.split(separator: "/").map { FakeKubeEncoding.percentDecode($0, plusIsSpace: false) }
        switch segments.first {
        case nil:
            try requireGET(request)
            return .response(.json(["paths": .array(rootPaths().map(JSONValue.string))]))
        case "version" where segments.count == 1:
            try requireGET(request)
            return .response(.json(Self.version))
        case "healthz", "livez", "readyz":
            try requireGET(request)
            return .response(Response(status: 200, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array("ok".utf8)))
        case "api":
            if segments.count == 1 {
                try requireGET(request)
                let host = request.header("host") ?? "127.0.0.1"
                return .response(
                    .json([
                        "kind": "APIVersions", "versions": ["v1"],
                        "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(host)]],
                    ]))
            }
            return try groupVersion(group: "", version: segments[1], rest: Array(segments.dropFirst(2)), request: request)
        case "apis":
            switch segments.count {
            case 1:
                try requireGET(request)
                return .response(.json(["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups().map(\.json))]))
            case 2:
                try requireGET(request)
                guard let group = groups().first(where: { $0.name == segments[1] }) else { throw FakeKubeError.resourceNotFound }
                var json = JSONObject([("kind", "APIGroup"), ("apiVersion", "v1")])
                for (key, value) in group.json.objectValue ?? JSONObject() { json.append(key, value) }
                return .response(.json(.object(json)))
            default:
                return try groupVersion(group: segments[1], version: segments[2], rest: Array(segments.dropFirst(3)), request: request)
            }
        default:
            throw FakeKubeError.resourceNotFound
        }
    }

    // MARK: Discovery

    private struct Group {
        var name: String
        var versions: [String]

        var json: JSONValue {
            let versionList = versions.map { version -> JSONValue in
                ["groupVersion": .string("\(name)/\(version)"), "version": .string(version)]
            }
            return [
                "name": .string(name), "versions": .array(versionList),
                "preferredVersion": versionList.first ?? .null,
            ]
        }
    }

    /// Registered non-core groups in registration order; versions in the order first registered.
    private func groups() -> [Group] {
        var groups: [Group] = []
        for type in store.types where !type.group.isEmpty {
            if let index = groups.firstIndex(where: { $0.name == type.group }) {
                for version in type.versions where !groups[index].versions.contains(version) { groups[index].versions.append(version) }
            } else {
                groups.append(Group(name: type.group, versions: type.versions))
            }
        }
        return groups
    }

    private func rootPaths() -> [String] {
        var paths = ["/api", "/api/v1", "/apis"]
        for group in groups() {
            paths.append("/apis/\(group.name)")
            paths += group.versions.map { "/apis/\(group.name)/\($0)" }
        }
        return paths + ["/healthz", "/livez", "/readyz", "/version"]
    }

    private static let version: JSONValue = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.0-fake", "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean", "buildDate": "2024-12-11T00:00:00Z", "goVersion": "go1.23.4", "compiler": "gc",
        "platform": "linux/amd64",
    ]

    private static let verbs: JSONValue = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    private func resourceList(group: String, version: String, types: [FakeResourceType]) -> JSONValue {
        var resources: [JSONValue] = []
        for type in types {
            var resource = JSONObject([
                ("name", .string(type.resource)), ("singularName", .string(type.kind.lowercased())), ("namespaced", .bool(type.namespaced)),
                ("kind", .string(type.kind)), ("verbs", Self.verbs),
            ])
            if !type.shortNames.isEmpty { resource.append("shortNames", .array(type.shortNames.map(JSONValue.string))) }
            resources.append(.object(resource))
            if type.statusSubresource {
                resources.append([
                    "name": .string("\(type.resource)/status"), "singularName": "", "namespaced": .bool(type.namespaced),
                    "kind": .string(type.kind), "verbs": ["get", "patch", "update"],
                ])
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
            "resources": .array(resources),
        ]
    }

    // MARK: Resources

    private func groupVersion(group: String, version: String, rest: [String], request: FakeKubeRequest) throws -> Route {
        let served = store.types.filter { $0.group == group && $0.versions.contains(version) }
        guard !served.isEmpty else { throw FakeKubeError.resourceNotFound }
        guard let first = rest.first else {
            try requireGET(request)
            return .response(.json(resourceList(group: group, version: version, types: served)))
        }
        var target: Target
        var tail: ArraySlice<String>
        if first == "namespaces", rest.count >= 3, let type = served.first(where: { $0.resource == rest[2] && $0.namespaced }) {
            target = Target(type: type, version: version, namespace: rest[1])
            tail = rest.dropFirst(3)
        } else {
            guard let type = served.first(where: { $0.resource == first }) else { throw FakeKubeError.resourceNotFound }
            target = Target(type: type, version: version)
            tail = rest.dropFirst()
            // A namespaced object is only addressable under /namespaces/{ns}.
            guard !type.namespaced || tail.isEmpty else { throw FakeKubeError.resourceNotFound }
        }
        switch tail.count {
        case 0: return try collection(target, request: request)
        case 1:
            target.name = tail.first
            return try object(target, request: request)
        case 2 where tail.last == "status" && target.type.statusSubresource:
            target.name = tail.first
            target.subresource = "status"
            return try object(target, request: request)
        default: throw FakeKubeError.resourceNotFound
        }
    }

    private func collection(_ target: Target, request: FakeKubeRequest) throws -> Route {
        let type = target.type
        switch request.method {
        case "GET":
            let labels = try FakeKubeSelector.labels(request.query("labelSelector"))
            let fields = try FakeKubeSelector.fields(request.query("fieldSelector"))
            if Self.flag(request.query("watch")) == true {
                let representation = try negotiate(request, list: false)
                var timeoutSeconds: Int?
                if let text = request.query("timeoutSeconds") {
                    guard let value = Int(text), value >= 0 else { throw FakeKubeError.badRequest("invalid timeoutSeconds: \(text)") }
                    timeoutSeconds = value > 0 ? value : nil
                }
                let spec = FakeKubeWatch.Spec(
                    type: type, version: target.version, namespace: target.namespace, labels: labels, fields: fields,
                    resourceVersion: request.query("resourceVersion"),
                    allowBookmarks: Self.flag(request.query("allowWatchBookmarks")) == true,
                    sendInitialEvents: Self.flag(request.query("sendInitialEvents")), timeoutSeconds: timeoutSeconds,
                    metadataOnly: representation.isMetadata)
                return .watch(spec, contentType: representation.contentType(list: false))
            }
            let representation = try negotiate(request, list: true)
            var options = FakeKubeStore.ListOptions(labels: labels, fields: fields)
            if let text = request.query("limit") {
                guard let limit = Int(text), limit >= 0 else { throw FakeKubeError.badRequest("invalid limit: \(text)") }
                options.limit = limit
            }
            options.continueToken = request.query("continue")
            options.resourceVersion = request.query("resourceVersion")
            options.resourceVersionMatch = request.query("resourceVersionMatch")
            let page = try store.list(type, version: target.version, namespace: target.namespace, options: options)
            return .response(listResponse(page, target: target, representation: representation))
        case "POST":
            guard !type.namespaced || target.namespace != nil else { throw FakeKubeError.methodNotAllowed }
            let body = try decodeBody(request)
            let created = try store.create(
                body, type: type, version: target.version, namespace: target.namespace, viaAPI: true, dryRun: isDryRun(request),
                manager: FakeManagedFields.manager(userAgent: request.header("user-agent")))
            return .response(.json(created, status: 201))
        case "DELETE":
            let labels = try FakeKubeSelector.labels(request.query("labelSelector"))
            let fields = try FakeKubeSelector.fields(request.query("fieldSelector"))
            let deleted = try store.deleteCollection(
                type, version: target.version, namespace: target.namespace, labels: labels, fields: fields, dryRun: isDryRun(request))
            let page = FakeKubeStore.ListPage(items: deleted, resourceVersion: store.currentResourceVersion)
            return .response(listResponse(page, target: target, representation: .full))
        default:
            throw FakeKubeError.methodNotAllowed
        }
    }

    private func object(_ target: Target, request: FakeKubeRequest) throws -> Route {
        guard let name = target.name else { throw FakeKubeError.resourceNotFound }
        let type = target.type
        let mode: FakeKubeStore.UpdateMode = target.subresource == "status" ? .status : .main
        switch request.method {
        case "GET":
            let representation = try negotiate(request, list: false)
            let object = try store.get(type, version: target.version, namespace: target.namespace, name: name)
            return .response(objectResponse(object, representation: representation))
        case "PUT":
            let body = try decodeBody(request)
            let updated = try store.update(
                body, type: type, version: target.version, namespace: target.namespace, name: name, mode: mode, dryRun: isDryRun(request),
                manager: FakeManagedFields.manager(userAgent: request.header("user-agent")))
            return .response(.json(updated))
        case "PATCH":
            let patch = try decodePatch(request)
            let patched = try store.patch(
                patch, type: type, version: target.version, namespace: target.namespace, name: name, mode: mode, dryRun: isDryRun(request),
                manager: FakeManagedFields.manager(userAgent: request.header("user-agent")))
            return .response(.json(patched))
        case "DELETE" where target.subresource == nil:
            let options: JSONValue? = request.body.isEmpty ? nil : try decodeBody(request)
            let deleted = try store.delete(
                type, version: target.version, namespace: target.namespace, name: name, preconditions: options?["preconditions"],
                dryRun: isDryRun(request))
            return .response(.json(deleted))
        default:
            throw FakeKubeError.methodNotAllowed
        }
    }

    // MARK: Representations

    private func listResponse(_ page: FakeKubeStore.ListPage, target: Target, representation: Representation) -> Response {
        var metadata = JSONObject()
        metadata.append("resourceVersion", .string(store.format.string(page.resourceVersion)))
        if let token = page.continueToken { metadata.append("continue", .string(token)) }
        if let remaining = page.remainingItemCount { metadata.append("remainingItemCount", .integer(remaining)) }
        var list = JSONObject()
        switch representation {
        case .full:
            list.append("kind", .string("\(target.type.kind)List"))
            list.append("apiVersion", .string(target.type.apiVersion(target.version)))
            list.append("metadata", .object(metadata))
            list.append("items", .array(page.items.map { FakeKubeObjects.listItem($0, type: target.type) }))
        case .metadata(let version):
            list.append("kind", "PartialObjectMetadataList")
            list.append("apiVersion", .string("meta.k8s.io/\(version)"))
            list.append("metadata", .object(metadata))
            list.append("items", .array(page.items.map { partial($0, version: version) }))
        }
        return .json(.object(list), contentType: representation.contentType(list: true))
    }

    private func objectResponse(_ object: JSONValue, representation: Representation) -> Response {
        switch representation {
        case .full: .json(object)
        case .metadata(let version): .json(partial(object, version: version), contentType: representation.contentType(list: false))
        }
    }

    private func partial(_ object: JSONValue, version: String) -> JSONValue {
        [
            "kind": "PartialObjectMetadata", "apiVersion": .string("meta.k8s.io/\(version)"),
            "metadata": .object(FakeKubeObjects.metadata(object)),
        ]
    }

    /// Picks the first acceptable media range of `Accept`: plain JSON (also `*/*`, `application/*`)
    /// or `application/json;as=PartialObjectMetadata[List];g=meta.k8s.io;v=v1`. Other conversions
    /// (`as=Table`) and other formats (protobuf, YAML) are skipped; nothing acceptable is 406.
    private func negotiate(_ request: FakeKubeRequest, list: Bool) throws -> Representation {
        guard let accept = request.header("accept"), !accept.allSatisfy(\.isWhitespace) else { return .full }
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.filter { !$0.isWhitespace } }
            guard let mediaType = parts.first?.lowercased(), ["application/json", "*/*", "application/*"].contains(mediaType) else {
                continue
            }
            var parameters: [String: String] = [:]
            for part in parts.dropFirst() {
                let pair = part.split(separator: "=", maxSplits: 1)
                if pair.count == 2 { parameters[pair[0].lowercased()] = String(pair[1]) }
            }
            guard let conversion = parameters["as"] else { return .full }
            let wanted = list ? "PartialObjectMetadataList" : "PartialObjectMetadata"
            if conversion == wanted, parameters["g"] == "meta.k8s.io", let version = parameters["v"], ["v1", "v1beta1"].contains(version) {
                return .metadata(version: version)
            }
        }
        throw FakeKubeError.notAcceptable(accept)
    }

    // MARK: Request bodies and parameters

    /// A create/update body: JSON (also when no Content-Type is given) or YAML.
    private func decodeBody(_ request: FakeKubeRequest) throws -> JSONValue {
        switch Self.mediaType(request) {
        case "", "application/json", "*/*":
            return try parseJSON(request.body)
        case "application/yaml":
            do {
                guard let document = try YAMLDocuments.parse(request.bodyString).first else {
                    throw FakeKubeError.badRequest("the request body is empty")
                }
                return document
            } catch let error as YAMLParseError {
                throw FakeKubeError.badRequest("error converting YAML to JSON: \(error)")
            }
        default:
            throw FakeKubeError.unsupportedMediaType(accepted: ["application/json", "application/yaml"])
        }
    }

    /// A PATCH body: JSON merge patch; strategic merge patch is applied the same way (our types have
    /// no merge keys). JSON Patch and server-side apply are answered with 415.
    private func decodePatch(_ request: FakeKubeRequest) throws -> JSONValue {
        switch Self.mediaType(request) {
        case "application/merge-patch+json", "application/strategic-merge-patch+json":
            return try parseJSON(request.body)
        default:
            throw FakeKubeError.unsupportedMediaType(accepted: ["application/merge-patch+json", "application/strategic-merge-patch+json"])
        }
    }

    private func parseJSON(_ body: [UInt8]) throws -> JSONValue {
        guard !body.isEmpty else { throw FakeKubeError.badRequest("the request body is empty") }
        do {
            return try JSONParser.parse(body)
        } catch {
            throw FakeKubeError.badRequest("the object provided is unrecognized: json parse error: \(error)")
        }
    }

    private static func mediaType(_ request: FakeKubeRequest) -> String {
        let value = request.header("content-type") ?? ""
        return String(value.split(separator: ";").first ?? "").filter { !$0.isWhitespace }.lowercased()
    }

    private func isDryRun(_ request: FakeKubeRequest) -> Bool {
        request.queryItems.contains { $0.name == "dryRun" && $0.value == "All" }
    }

    private func requireGET(_ request: FakeKubeRequest) throws {
        guard request.method == "GET" else { throw FakeKubeError.methodNotAllowed }
    }

    /// A boolean query parameter as the apiserver parses it (`true`/`1`/`t`, `false`/`0`/`f`), nil when absent.
    private static func flag(_ value: String?) -> Bool? {
        guard let value else { return nil }
        switch value.lowercased() {
        case "true", "1", "t": return true
        case "false", "0", "f", "": return false
        default: return nil
        }
    }
}

extension FakeKubeRouter.Representation {
    fileprivate var isMetadata: Bool {
        if case .metadata = self { true } else { false }
    }

    fileprivate func contentType(list: Bool) -> String {
        switch self {
        case .full: "application/json"
        case .metadata(let version):
            "application/json;as=\(list ? "PartialObjectMetadataList" : "PartialObjectMetadata");g=meta.k8s.io;v=\(version)"
        }
    }
}
