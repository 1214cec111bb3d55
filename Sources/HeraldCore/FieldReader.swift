import HeraldJSON

/// Reads typed fields of a JSON object and names the field in every error.
struct FieldReader {
    let object: JSONObject
    let path: String

    func string(_ key: String) throws(EventDecodingError) -> String {
        switch object[key] {
        case nil, .null: return ""
        case .string(let value): return value
        case .some(let other): throw EventDecodingError("\(path)\(key): expected a string, got \(other.typeName)")
        }
    }

    func int(_ key: String) throws(EventDecodingError) -> Int? {
        switch object[key] {
        case nil, .null: return nil
        case .number(let text):
            guard let value = Int(text) else { throw EventDecodingError("\(path)\(key): expected an integer, got \(text)") }
            return value
        case .some(let other): throw EventDecodingError("\(path)\(key): expected an integer, got \(other.typeName)")
        }
    }

    func object(_ key: String) throws(EventDecodingError) -> JSONObject? {
        switch object[key] {
        case nil, .null: return nil
        case .object(let value): return value
        case .some(let other): throw EventDecodingError("\(path)\(key): expected an object, got \(other.typeName)")
        }
    }

    func stringMap(_ key: String) throws(EventDecodingError) -> [String: String]? {
        guard let map = try object(key) else { return nil }
        var result: [String: String] = [:]
        for (name, value) in map {
            guard case .string(let text) = value else {
                throw EventDecodingError("\(path)\(key).\(name): expected a string, got \(value.typeName)")
            }
            result[name] = text
        }
        return result
    }

    func timestamp(_ key: String) throws(EventDecodingError) -> FluxTimestamp? {
        switch object[key] {
        case nil, .null: return nil
        case .string(let text):
            if text.isEmpty { return nil }
            guard let value = FluxTimestamp(rfc3339: text) else {
                throw EventDecodingError("\(path)\(key): not an RFC 3339 time: \(text)")
            }
            // Go's zero time marshals as 0001-01-01T00:00:00Z; Flux writes it as null.
            return value.secondsSinceEpoch == FluxTimestamp.goZero ? nil : value
        case .some(let other): throw EventDecodingError("\(path)\(key): expected a string, got \(other.typeName)")
        }
    }

    func objectReference() throws(EventDecodingError) -> ObjectReference {
        ObjectReference(
            kind: try string("kind"), namespace: try string("namespace"), name: try string("name"),
            uid: try string("uid"), apiVersion: try string("apiVersion"),
            resourceVersion: try string("resourceVersion"), fieldPath: try string("fieldPath")
        )
    }
}
