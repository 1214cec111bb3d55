import HeraldJSON

/// Helpers over stored objects: member order as the apiserver writes it, `apiVersion` per served
/// version, metadata access and the `PartialObjectMetadata` form.
enum FakeKubeObjects {
    /// `ObjectMeta`'s field order in Go, so metadata reads like a real apiserver's.
    private static let metadataOrder = [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
        "managedFields",
    ]

    /// The object's `metadata`, or an empty one.
    static func metadata(_ object: JSONValue) -> JSONObject {
        object["metadata"]?.objectValue ?? JSONObject()
    }

    /// A metadata string field, nil when absent or not a string.
    static func metadataString(_ object: JSONValue, _ field: String) -> String? {
        object["metadata"]?[field]?.stringValue
    }

    /// `object` with `metadata` changed by `change`.
    static func updatingMetadata(_ object: JSONValue, _ change: (inout JSONObject) -> Void) -> JSONValue {
        guard case .object(var members) = object else { return object }
        var metadata = members["metadata"]?.objectValue ?? JSONObject()
        change(&metadata)
        members["metadata"] = .object(metadata)
        return .object(members)
    }

    /// `kind` and `apiVersion` first (TypeMeta's order), then `metadata` in ObjectMeta order, then
    /// the other members as given, then the type's zero-value fields that were not given.
    static func normalized(_ object: JSONObject, type: FakeResourceType, apiVersion: String) -> JSONValue {
        var result = JSONObject()
        result.append("kind", .string(type.kind))
        result.append("apiVersion", .string(apiVersion))
        var metadata = JSONObject()
        let given = object["metadata"]?.objectValue ?? JSONObject()
        for key in metadataOrder { if let value = given[key] { metadata.append(key, value) } }
        for (key, value) in given where !metadataOrder.contains(key) { metadata.append(key, value) }
        result.append("metadata", .object(metadata))
        for (key, value) in object where !["kind", "apiVersion", "metadata"].contains(key) { result.append(key, value) }
        for (key, value) in type.zeroValueFields where object[key] == nil { result.append(key, value) }
        return .object(result)
    }

    /// The stored object as served at `version`: only `apiVersion` changes (no conversion).
    static func rendered(_ stored: JSONValue, type: FakeResourceType, version: String) -> JSONValue {
        guard case .object(var members) = stored else { return stored }
        members["apiVersion"] = .string(type.apiVersion(version))
        return .object(members)
    }

    /// `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{…}}`, what a
    /// metadata-only client (`as=PartialObjectMetadata`) receives.
    static func partialMetadata(_ object: JSONValue) -> JSONValue {
        [
            "kind": "PartialObjectMetadata",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": .object(metadata(object)),
        ]
    }

    /// What a watch BOOKMARK carries: only kind, apiVersion and `metadata.resourceVersion`
    /// (plus annotations, for the `k8s.io/initial-events-end` marker).
    static func bookmark(kind: String, apiVersion: String, resourceVersion: String, annotations: JSONValue? = nil) -> JSONValue {
        var metadata = JSONObject()
        metadata.append("resourceVersion", .string(resourceVersion))
        if let annotations { metadata.append("annotations", annotations) }
        return ["kind": .string(kind), "apiVersion": .string(apiVersion), "metadata": .object(metadata)]
    }

    /// One watch event as the apiserver streams it: a JSON object and a newline.
    static func watchEventLine(type: String, object: JSONValue) -> [UInt8] {
        var bytes = JSONWriter.bytes(["type": .string(type), "object": object])
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// An item of a list response: a built-in type's items carry no `kind` and `apiVersion`.
    static func listItem(_ object: JSONValue, type: FakeResourceType) -> JSONValue {
        guard type.builtIn, case .object(var members) = object else { return object }
        members["kind"] = nil
        members["apiVersion"] = nil
        return .object(members)
    }
}
