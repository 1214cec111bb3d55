import HeraldJSON

/// `metadata.managedFields` as the apiserver keeps it for every object: one entry per writer
/// (manager, operation, subresource) with the set of fields it wrote as nested `f:` maps (`FieldsV1`).
///
/// The field sets are derived from the object's structure: every member becomes `f:<name>`, a nested
/// object also lists itself as `"."` below the top level. The real sets follow each type's schema (atomic
/// structs, list keys), which a client never needs; what matters to a client is that every object carries
/// these deeply nested maps inside `metadata`, next to the flat string maps it reads.
enum FakeManagedFields {
    /// The manager recorded for test-side writes.
    static let testManager = "fake-kube-test"

    /// The field manager a request writes as: the program name at the start of its `User-Agent`
    /// (client-go's default), or `unknown`.
    static func manager(userAgent: String?) -> String {
        guard let userAgent, let name = userAgent.split(separator: "/").first, !name.isEmpty else { return "unknown" }
        return String(name)
    }

    /// `object` with the entry for this write added or replaced; other writers' entries stay.
    static func recording(
        _ object: JSONValue, previous: JSONValue?, manager: String, subresource: String?, type: FakeResourceType, apiVersion: String,
        time: String
    ) -> JSONValue {
        guard case .object(let members) = object else { return object }
        var fields = JSONObject()
        for (key, value) in members where !["kind", "apiVersion"].contains(key) {
            if key == "metadata" {
                var metadataFields = JSONObject()
                for name in ["labels", "annotations", "finalizers", "ownerReferences"] {
                    if let value = value[name], value != .null { metadataFields.append("f:\(name)", fieldSet(value, nested: true)) }
                }
                if subresource == nil, !metadataFields.isEmpty { fields.append("f:metadata", .object(metadataFields)) }
                continue
            }
            // A status write owns `.status` only; a main write owns the rest, and `.status` too when the type has
            // no status subresource.
            let owned = subresource == "status" ? key == "status" : key != "status" || !type.statusSubresource
            guard owned, value != .null else { continue }
            fields.append("f:\(key)", fieldSet(value, nested: false))
        }
        var entry = JSONObject()
        entry.append("manager", .string(manager))
        entry.append("operation", "Update")
        entry.append("apiVersion", .string(apiVersion))
        entry.append("time", .string(time))
        entry.append("fieldsType", "FieldsV1")
        entry.append("fieldsV1", .object(fields))
        if let subresource { entry.append("subresource", .string(subresource)) }
        var entries = previous?["metadata"]?["managedFields"]?.arrayValue ?? []
        entries.removeAll { existing in
            existing["manager"]?.stringValue == manager && existing["operation"]?.stringValue == "Update"
                && existing["subresource"]?.stringValue == subresource
        }
        entries.append(.object(entry))
        return FakeKubeObjects.updatingMetadata(object) { $0["managedFields"] = .array(entries) }
    }

    /// The `f:` set of one value: members of an object, nothing below a scalar or a list.
    private static func fieldSet(_ value: JSONValue, nested: Bool) -> JSONValue {
        guard case .object(let members) = value, !members.isEmpty else { return .object(JSONObject()) }
        var set = JSONObject()
        if nested { set.append(".", .object(JSONObject())) }
        for (key, child) in members where child != .null { set.append("f:\(key)", fieldSet(child, nested: true)) }
        return .object(set)
    }
}
