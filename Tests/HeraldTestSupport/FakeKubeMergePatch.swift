import HeraldJSON

/// JSON Merge Patch (RFC 7386), what the apiserver applies for `application/merge-patch+json`.
enum FakeKubeMergePatch {
    /// Applies `patch` to `target`: an object patch merges member by member (`null` removes a
    /// member, a missing or non-object target counts as `{}`); any other patch value replaces the target.
    static func apply(_ patch: JSONValue, to target: JSONValue?) -> JSONValue {
        guard case .object(let members) = patch else { return patch }
        var result = target?.objectValue ?? JSONObject()
        for (key, value) in members {
            if value.isNull {
                result[key] = nil
            } else {
                result[key] = apply(value, to: result[key])
            }
        }
        return .object(result)
    }
}
