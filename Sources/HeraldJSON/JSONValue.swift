/// A JSON document as a tree of values whose objects keep their key order.
///
/// Herald needs the exact bytes that Flux's Go encoder produces (the `generic-hmac` signature is computed
/// over them), so objects are ordered and numbers keep their lexical form instead of going through `Double`.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number in its JSON lexical form, e.g. `42` or `-1.5e3`.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// A number from an integer, written without a fraction or exponent.
    public static func integer(_ value: Int) -> JSONValue { .number(String(value)) }

    /// The member `key` when this is an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The integer value of a number that has no fraction or exponent.
    public var intValue: Int? {
        if case .number(let text) = self { return Int(text) }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the value's JSON type, used in validation messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// A JSON object that remembers the order in which its members were written.
///
/// Equality ignores member order, as JSON's does; ``JSONWriter`` writes members in their stored order.
public struct JSONObject: Sendable, Hashable, Sequence {
    public private(set) var members: [(key: String, value: JSONValue)]

    public init() { members = [] }

    /// Members in order; a repeated key keeps its first place and its last value, as writing it twice would.
    public init(_ members: [(String, JSONValue)]) {
        var builder = MemberBuilder(capacity: members.count)
        for (key, value) in members { builder.set(key, value) }
        self.members = builder.members
    }

    /// Members already known to be unique (the parser's ``MemberBuilder`` made them so).
    init(uniqueMembers: [(key: String, value: JSONValue)]) { members = uniqueMembers }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    /// Reads a member; writing replaces it in place or appends it, and writing `nil` removes it.
    public subscript(key: String) -> JSONValue? {
        get {
            for member in members where member.key == key { return member.value }
            return nil
        }
        set {
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    /// Appends a member without looking for an existing one; for builders that know keys are unique.
    public mutating func append(_ key: String, _ value: JSONValue) {
        members.append((key, value))
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        members.makeIterator()
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        guard lhs.members.count > MemberBuilder.scanLimit else {
            for (key, value) in lhs.members where rhs[key] != value { return false }
            return true
        }
        // Wide objects: one dictionary instead of a scan per member, so comparing stays linear.
        var values: [String: JSONValue] = [:]
        values.reserveCapacity(rhs.members.count)
        for member in rhs.members { values[member.key] = member.value }
        for (key, value) in lhs.members where values[key] != value { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        for member in members.sorted(by: { $0.key < $1.key }) {
            hasher.combine(member.key)
            hasher.combine(member.value)
        }
    }
}

/// Collects an object's members in order, replacing the value of a repeated key in place, in time
/// linear in the number of members: small objects are scanned, wide ones indexed (a scan per member made
/// an object of 100,000 keys take 11 s to parse).
struct MemberBuilder {
    /// Up to this many members a scan beats hashing.
    static let scanLimit = 16

    private(set) var members: [(key: String, value: JSONValue)] = []
    private var positions: [String: Int]?

    init(capacity: Int = 0) { members.reserveCapacity(capacity) }

    mutating func set(_ key: String, _ value: JSONValue) {
        if let position = position(of: key) {
            members[position].value = value
            return
        }
        positions?[key] = members.count
        members.append((key, value))
        if positions == nil, members.count > Self.scanLimit {
            var index: [String: Int] = [:]
            index.reserveCapacity(members.count * 2)
            for (position, member) in members.enumerated() { index[member.key] = position }
            positions = index
        }
    }

    private func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        return members.firstIndex { $0.key == key }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// A string map as an object whose members are sorted by key, as Go's encoder writes maps.
    public static func sortedObject(_ map: [String: String]) -> JSONValue {
        var object = JSONObject()
        for key in map.keys.sorted() { object.append(key, .string(map[key] ?? "")) }
        return .object(object)
    }
}
