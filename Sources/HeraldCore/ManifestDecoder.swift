import HeraldJSON

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An object that failed validation, naming the object, the field and what is wrong.
public struct ManifestError: Error, Sendable, Hashable, CustomStringConvertible {
    public var kind: String
    /// `namespace/name`, or what is known of it.
    public var object: String
    public var field: String
    public var reason: String

    public init(kind: String, object: String, field: String, reason: String) {
        self.kind = kind
        self.object = object
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(kind) \(object): \(field): \(reason)" }
}

/// Any Kubernetes object that is not an Alert, Provider or Secret: it only lends its labels to `matchLabels`.
public struct LabeledObject: Sendable, Hashable {
    public var group: String
    public var kind: String
    public var key: ObjectKey
    public var labels: [String: String]
}

/// What one manifest object decodes to.
public enum FluxObject: Sendable, Hashable {
    case alert(Alert)
    case provider(Provider)
    case secret(Secret)
    case other(LabeledObject)
}

/// Decodes Kubernetes objects into Herald's model with the validation of the version they declare.
///
/// The checks are the CRD's (reference §2): enums, patterns, required fields, length limits and, like
/// `kubectl apply --validate=strict`, unknown spec fields. Objects read from the API server pass them already.
public enum ManifestDecoder {
    /// `strictFields` rejects unknown spec fields, as `kubectl apply --validate=strict` does for files; objects
    /// read from an API server were validated by its own CRD, which may be newer than Herald, so they pass `false`.
    /// `readAs` is the type of the resource an object was read from: it stands in for a missing `apiVersion`
    /// and `kind`, which the items of a list response need not carry.
    public static func decode(
        _ value: JSONValue, defaultNamespace: String = "default", strictFields: Bool = true,
        readAs: (apiVersion: String, kind: String)? = nil
    ) throws(ManifestError)
        -> FluxObject
    {
        guard case .object(let object) = value else {
            throw ManifestError(kind: "object", object: "?", field: "(root)", reason: "expected a mapping, got \(value.typeName)")
        }
        var apiVersion = object["apiVersion"]?.stringValue ?? ""
        var kind = object["kind"]?.stringValue ?? ""
        if let readAs {
            if apiVersion.isEmpty { apiVersion = readAs.apiVersion }
            if kind.isEmpty { kind = readAs.kind }
        }
        guard !apiVersion.isEmpty else {
            throw ManifestError(kind: kind.isEmpty ? "object" : kind, object: "?", field: "apiVersion", reason: "required")
        }
        guard !kind.isEmpty else { throw ManifestError(kind: "object", object: "?", field: "kind", reason: "required") }
        var reader = ObjectReader(kind: kind, object: object, name: "?", strictFields: strictFields)
        let meta = try reader.meta(defaultNamespace: defaultNamespace)
        let version = FluxAPIVersion(apiVersion: apiVersion)
        switch (kind, apiVersion) {
        case ("Alert", _) where apiVersion.hasPrefix(FluxAPIVersion.group + "/"):
            guard let version else {
                throw reader.error("apiVersion", "unknown version \(apiVersion); Herald reads v1beta1, v1beta2 and v1beta3")
            }
            return .alert(try reader.alert(meta: meta, version: version))
        case ("Provider", _) where apiVersion.hasPrefix(FluxAPIVersion.group + "/"):
            guard let version else {
                throw reader.error("apiVersion", "unknown version \(apiVersion); Herald reads v1beta1, v1beta2 and v1beta3")
            }
            return .provider(try reader.provider(meta: meta, version: version))
        case ("Secret", "v1"):
            return .secret(try reader.secret(key: meta.key))
        default:
            let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
            return .other(LabeledObject(group: group, kind: kind, key: meta.key, labels: meta.labels))
        }
    }
}

private struct ObjectReader {
    let kind: String
    let object: JSONObject
    var name: String
    let strictFields: Bool

    func error(_ field: String, _ reason: String) -> ManifestError {
        ManifestError(kind: kind, object: name, field: field, reason: reason)
    }

    // MARK: typed access

    func value(_ object: JSONObject, _ key: String) -> JSONValue? {
        switch object[key] {
        case nil, .null: nil
        case .some(let value): value
        }
    }

    func string(_ object: JSONObject, _ key: String, path: String) throws(ManifestError) -> String? {
        guard let value = value(object, key) else { return nil }
        guard case .string(let text) = value else { throw error(path, "expected a string, got \(value.typeName)") }
        return text
    }

    func bool(_ object: JSONObject, _ key: String, path: String) throws(ManifestError) -> Bool {
        guard let value = value(object, key) else { return false }
        guard case .bool(let flag) = value else { throw error(path, "expected a boolean, got \(value.typeName)") }
        return flag
    }

    func map(_ object: JSONObject, _ key: String, path: String) throws(ManifestError) -> [String: String]? {
        guard let value = value(object, key) else { return nil }
        guard case .object(let members) = value else { throw error(path, "expected a map of strings, got \(value.typeName)") }
        var result: [String: String] = [:]
        for (name, item) in members {
            guard case .string(let text) = item else { throw error("\(path).\(name)", "expected a string, got \(item.typeName)") }
            result[name] = text
        }
        return result
    }

    func stringList(_ object: JSONObject, _ key: String, path: String) throws(ManifestError) -> [String] {
        guard let value = value(object, key) else { return [] }
        guard case .array(let items) = value else { throw error(path, "expected a list of strings, got \(value.typeName)") }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else { throw error("\(path)[\(index)]", "expected a string, got \(item.typeName)") }
            result.append(text)
        }
        return result
    }

    func reference(_ object: JSONObject, _ key: String, path: String) throws(ManifestError) -> String? {
        guard let value = value(object, key) else { return nil }
        guard case .object(let members) = value else { throw error(path, "expected an object with a name, got \(value.typeName)") }
        guard let name = try string(members, "name", path: "\(path).name"), !name.isEmpty else {
            throw error("\(path).name", "required")
        }
        return name
    }

    func checkLength(_ text: String, max: Int, path: String) throws(ManifestError) {
        if text.count > max { throw error(path, "must be at most \(max) characters, is \(text.count)") }
    }

    func checkKnownFields(_ spec: JSONObject, allowed: Set<String>, version: FluxAPIVersion) throws(ManifestError) {
        guard strictFields else { return }
        for key in spec.keys where !allowed.contains(key) {
            throw error("spec.\(key)", "unknown field in \(kind) \(version.rawValue) (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    // MARK: objects

    mutating func meta(defaultNamespace: String) throws(ManifestError) -> ObjectMeta {
        guard let metadata = value(object, "metadata") else { throw error("metadata.name", "required") }
        guard case .object(let members) = metadata else { throw error("metadata", "expected an object, got \(metadata.typeName)") }
        guard let objectName = try string(members, "name", path: "metadata.name"), !objectName.isEmpty else {
            throw error("metadata.name", "required")
        }
        let namespace = try string(members, "namespace", path: "metadata.namespace") ?? ""
        let key = ObjectKey(namespace: namespace.isEmpty ? defaultNamespace : namespace, name: objectName)
        name = key.description
        var generation = 0
        if let value = value(members, "generation") {
            guard let number = value.intValue else { throw error("metadata.generation", "expected an integer") }
            generation = number
        }
        return ObjectMeta(
            key: key,
            uid: try string(members, "uid", path: "metadata.uid") ?? "",
            generation: generation,
            resourceVersion: try string(members, "resourceVersion", path: "metadata.resourceVersion") ?? "",
            labels: try map(members, "labels", path: "metadata.labels") ?? [:]
        )
    }

    func spec() throws(ManifestError) -> JSONObject {
        guard let value = value(object, "spec") else { throw error("spec", "required") }
        guard case .object(let spec) = value else { throw error("spec", "expected an object, got \(value.typeName)") }
        return spec
    }

    func alert(meta: ObjectMeta, version: FluxAPIVersion) throws(ManifestError) -> Alert {
        let spec = try spec()
        try checkKnownFields(spec, allowed: version.alertSpecFields, version: version)
        guard let provider = try reference(spec, "providerRef", path: "spec.providerRef") else {
            throw error("spec.providerRef", "required")
        }
        let severity = try string(spec, "eventSeverity", path: "spec.eventSeverity") ?? Event.severityInfo
        guard severity == Event.severityInfo || severity == Event.severityError else {
            throw error("spec.eventSeverity", "must be one of info, error; got \"\(severity)\"")
        }
        guard let sourcesValue = value(spec, "eventSources") else { throw error("spec.eventSources", "required") }
        guard case .array(let sourceItems) = sourcesValue else {
            throw error("spec.eventSources", "expected a list, got \(sourcesValue.typeName)")
        }
        var sources: [EventSource] = []
        for (index, item) in sourceItems.enumerated() {
            sources.append(try eventSource(item, path: "spec.eventSources[\(index)]", version: version))
        }
        let summary = try string(spec, "summary", path: "spec.summary") ?? ""
        if version != .v1beta1 { try checkLength(summary, max: 255, path: "spec.summary") }
        return Alert(
            meta: meta,
            apiVersion: version,
            providerName: provider,
            eventSeverity: severity,
            eventSources: sources,
            inclusionList: try stringList(spec, "inclusionList", path: "spec.inclusionList"),
            exclusionList: try stringList(spec, "exclusionList", path: "spec.exclusionList"),
            eventMetadata: try map(spec, "eventMetadata", path: "spec.eventMetadata") ?? [:],
            summary: summary,
            suspend: try bool(spec, "suspend", path: "spec.suspend")
        )
    }

    func eventSource(_ value: JSONValue, path: String, version: FluxAPIVersion) throws(ManifestError) -> EventSource {
        guard case .object(let members) = value else { throw error(path, "expected an object, got \(value.typeName)") }
        let allowed: Set<String> = ["apiVersion", "kind", "name", "namespace", "matchLabels"]
        for key in members.keys where strictFields && !allowed.contains(key) { throw error("\(path).\(key)", "unknown field") }
        guard let kind = try string(members, "kind", path: "\(path).kind"), !kind.isEmpty else {
            throw error("\(path).kind", "required")
        }
        guard version.eventSourceKinds.contains(kind) else {
            throw error("\(path).kind", "must be one of \(version.eventSourceKinds.joined(separator: ", ")); got \"\(kind)\"")
        }
        guard let name = try string(members, "name", path: "\(path).name") else { throw error("\(path).name", "required") }
        guard !name.isEmpty else { throw error("\(path).name", "must be at least 1 character") }
        try checkLength(name, max: version.eventSourceNameMaxLength, path: "\(path).name")
        let namespace = try string(members, "namespace", path: "\(path).namespace")
        if let namespace {
            guard !namespace.isEmpty else { throw error("\(path).namespace", "must be at least 1 character") }
            try checkLength(namespace, max: version.eventSourceNameMaxLength, path: "\(path).namespace")
        }
        return EventSource(
            apiVersion: try string(members, "apiVersion", path: "\(path).apiVersion") ?? "",
            kind: kind,
            name: name,
            namespace: namespace ?? "",
            matchLabels: try map(members, "matchLabels", path: "\(path).matchLabels")
        )
    }

    func provider(meta: ObjectMeta, version: FluxAPIVersion) throws(ManifestError) -> Provider {
        let spec = try spec()
        try checkKnownFields(spec, allowed: version.providerSpecFields, version: version)
        let type = try providerType(spec, version: version)
        let channel = try string(spec, "channel", path: "spec.channel") ?? ""
        let username = try string(spec, "username", path: "spec.username") ?? ""
        // A pattern applies to a field that is present, empty or not, as the CRD's OpenAPI validation does.
        let givenAddress = try string(spec, "address", path: "spec.address")
        let givenProxy = try string(spec, "proxy", path: "spec.proxy")
        let address = givenAddress ?? ""
        let proxy = givenProxy ?? ""
        if version == .v1beta1 {
            if givenAddress != nil, !(address.hasPrefix("http://") || address.hasPrefix("https://")) {
                throw error("spec.address", "must match ^(http|https)://")
            }
        } else {
            try checkLength(channel, max: 2048, path: "spec.channel")
            try checkLength(username, max: 2048, path: "spec.username")
            try checkLength(address, max: 2048, path: "spec.address")
            try checkLength(proxy, max: 2048, path: "spec.proxy")
        }
        if givenProxy != nil, !(proxy.hasPrefix("http://") || proxy.hasPrefix("https://")) {
            throw error("spec.proxy", "must match ^(http|https)://.*$")
        }
        let timeout = try providerTimeout(spec)
        let commitStatusExpr = try commitStatusExpression(spec, type: type)
        return Provider(
            meta: meta,
            apiVersion: version,
            type: type,
            channel: channel,
            username: username,
            address: address,
            timeout: timeout,
            proxy: proxy,
            secretRef: try reference(spec, "secretRef", path: "spec.secretRef"),
            certSecretRef: try reference(spec, "certSecretRef", path: "spec.certSecretRef"),
            proxySecretRef: try reference(spec, "proxySecretRef", path: "spec.proxySecretRef"),
            serviceAccountName: try string(spec, "serviceAccountName", path: "spec.serviceAccountName") ?? "",
            commitStatusExpr: commitStatusExpr,
            suspend: try bool(spec, "suspend", path: "spec.suspend")
        )
    }

    private func providerType(_ spec: JSONObject, version: FluxAPIVersion) throws(ManifestError) -> ProviderType {
        guard let typeName = try string(spec, "type", path: "spec.type"), !typeName.isEmpty else {
            throw error("spec.type", "required")
        }
        guard let type = ProviderType(rawValue: typeName), version.providerTypes.contains(type) else {
            throw error("spec.type", "must be one of \(version.providerTypes.map(\.rawValue).joined(separator: ", ")); got \"\(typeName)\"")
        }
        return type
    }

    /// `spec.timeout` (no hours, as the CRD's pattern says); `spec.interval` is validated but unused, as in Flux.
    private func providerTimeout(_ spec: JSONObject) throws(ManifestError) -> Duration? {
        var timeout: Duration?
        if let text = try string(spec, "timeout", path: "spec.timeout") {
            guard let parsed = GoDuration.parse(text, allowHours: false) else {
                throw error("spec.timeout", "must match ^([0-9]+(\\.[0-9]+)?(ms|s|m))+$; got \"\(text)\"")
            }
            timeout = parsed
        }
        if let interval = try string(spec, "interval", path: "spec.interval"), GoDuration.parse(interval) == nil {
            throw error("spec.interval", "must match ^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$; got \"\(interval)\"")
        }
        return timeout
    }

    /// `spec.commitStatusExpr`, compiled once here so a bad expression is refused with the Provider.
    private func commitStatusExpression(_ spec: JSONObject, type: ProviderType) throws(ManifestError) -> String {
        let expression = try string(spec, "commitStatusExpr", path: "spec.commitStatusExpr") ?? ""
        guard !expression.isEmpty else { return "" }
        guard type.isCommitStatus else {
            throw error(
                "spec.commitStatusExpr",
                "spec.commitStatusExpr is only supported for the 'github', 'gitlab', 'gitea', 'bitbucketserver', 'bitbucket', 'azuredevops' provider types"
            )
        }
        do throws(ExpressionError) {
            _ = try CommitStatusExpression(expression)
        } catch let failure {
            throw error("spec.commitStatusExpr", failure.description)
        }
        return expression
    }

    func secret(key: ObjectKey) throws(ManifestError) -> Secret {
        var values: [String: String] = [:]
        // Values are never quoted in these errors: they are credentials.
        if let data = try map(object, "data", path: "data") {
            for (name, encoded) in data {
                guard let decoded = Data(base64Encoded: encoded.filter { $0 != "\n" && $0 != "\r" }) else {
                    throw error("data.\(name)", "not valid base64")
                }
                values[name] = String(decoding: decoded, as: UTF8.self)
            }
        }
        for (name, text) in try map(object, "stringData", path: "stringData") ?? [:] { values[name] = text }
        return Secret(key: key, values: values)
    }
}
