import HeraldJSON

/// `spec.commitStatusExpr`: the subset of CEL that commit-status ids are written in, parsed and
/// evaluated without a CEL runtime.
///
/// Supported: string, integer and boolean literals; the variables `event`, `alert` and `provider`
/// with field selection (`event.metadata.env`) and indexing (`event.metadata['app.kubernetes.io/name']`,
/// `list[0]`); `+` on strings, integers and lists; `==`, `!=`, `<`, `<=`, `>`, `>=`; `&&`, `||`, `!`;
/// the ternary `c ? a : b`; parentheses; the methods `lowerAscii()`, `upperAscii()`, `trim()`,
/// `split(sep)`, `join(sep)`, `replace(old, new)`, `contains(s)`, `startsWith(s)`, `endsWith(s)`,
/// `size()`, `first()`, `last()`, `value()`, `orValue(x)`; and the functions `has(x.field)`,
/// `size(x)` and `string(x)`. Anything else (macros such as `map` or `exists`, arithmetic other than
/// `+`, map and list literals, floats, bytes) is refused when the Provider is read, naming the construct.
///
/// Safe by construction: the text is at most ``maximumLength`` bytes, nesting at most ``maximumDepth``
/// levels, and there are no loops, so evaluation is linear in the expression's size.
public struct CommitStatusExpression: Sendable, Hashable {
    public static let maximumLength = 4096
    public static let maximumDepth = 32

    public let source: String
    let root: Node

    /// Parses and type-checks `source`; the result must be a string (or a field, whose type is only known per event).
    public init(_ source: String) throws(ExpressionError) {
        guard source.utf8.count <= Self.maximumLength else { throw .tooLong(source.utf8.count) }
        var parser = Parser(source: source)
        root = try parser.parseExpression()
        self.source = source
        let type = try root.staticType()
        guard type == .string || type == .dynamic else { throw .outputType(type.description) }
    }

    /// The commit-status id for this event; `event` is the combined event as Flux's JSON shape.
    public func evaluate(event: JSONValue, alert: JSONValue, provider: JSONValue) throws(ExpressionError) -> String {
        let variables = ["event": event, "alert": alert, "provider": provider]
        let value = try root.evaluate(variables)
        guard case .string(let text) = value else { throw .notAString(Self.excerpt(source)) }
        return text
    }

    /// The expression as quoted in messages: long ones are cut, so an error never carries kilobytes.
    static func excerpt(_ text: String) -> String {
        text.count <= 120 ? text : String(text.prefix(117)) + "..."
    }
}

/// Why an expression cannot be used, in the words Flux's CEL errors use where they exist.
public enum ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    case tooLong(Int)
    case tooDeep
    case syntax(String, position: Int)
    /// A valid CEL construct outside Herald's subset.
    case unsupported(String)
    case outputType(String)
    case noSuchKey(String)
    case evaluation(String)
    case notAString(String)

    public var description: String {
        switch self {
        case .tooLong(let length):
            "failed to compile expression: the expression is \(length) bytes long; at most \(CommitStatusExpression.maximumLength) are accepted"
        case .tooDeep:
            "failed to compile expression: the expression nests deeper than \(CommitStatusExpression.maximumDepth) levels"
        case .syntax(let message, let position):
            "failed to compile expression: failed to parse the CEL expression: \(message) at offset \(position)"
        case .unsupported(let construct):
            "failed to compile expression: unsupported CEL construct: \(construct) (Herald evaluates a subset of CEL; see README, commitStatusExpr)"
        case .outputType(let type):
            "failed to compile expression: CEL expression output type mismatch: expected string, got \(type)"
        case .noSuchKey(let key):
            "failed to evaluate the CEL expression: no such key: \(key)"
        case .evaluation(let message):
            "failed to evaluate the CEL expression: \(message)"
        case .notAString(let source):
            "failed to evaluate CEL expression as string: '\(source)'"
        }
    }
}

/// The static types the checker tells apart; `dynamic` is anything read from a variable.
enum StaticType: Sendable, Hashable, CustomStringConvertible {
    case string, int, bool, list, optional, dynamic

    var description: String {
        switch self {
        case .string: "string"
        case .int: "int"
        case .bool: "bool"
        case .list: "list"
        case .optional: "optional"
        case .dynamic: "dyn"
        }
    }
}

/// A runtime value.
indirect enum Value: Sendable, Hashable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case list([Value])
    case map(JSONObject)
    case null
    case optional(Value?)

    init(_ json: JSONValue) throws(ExpressionError) {
        switch json {
        case .string(let text): self = .string(text)
        case .bool(let flag): self = .bool(flag)
        case .null: self = .null
        case .number(let text):
            guard let number = Int(text) else { throw .unsupported("the non-integer number \(text)") }
            self = .int(number)
        case .array(let items):
            var values: [Value] = []
            for item in items { values.append(try Value(item)) }
            self = .list(values)
        case .object(let object): self = .map(object)
        }
    }

    var typeName: String {
        switch self {
        case .string: "string"
        case .int: "int"
        case .bool: "bool"
        case .list: "list"
        case .map: "map"
        case .null: "null"
        case .optional: "optional"
        }
    }
}

/// The parsed expression.
indirect enum Node: Sendable, Hashable {
    case literal(Value)
    case variable(String)
    case member(Node, String)
    case index(Node, Node)
    case method(Node, String, [Node])
    case function(String, [Node])
    case binary(String, Node, Node)
    case not(Node)
    case conditional(Node, Node, Node)

    static let methods: [String: (arguments: Int, result: StaticType)] = [
        "lowerAscii": (0, .string), "upperAscii": (0, .string), "trim": (0, .string), "split": (1, .list), "join": (1, .string),
        "replace": (2, .string), "contains": (1, .bool), "startsWith": (1, .bool), "endsWith": (1, .bool), "size": (0, .int),
        "first": (0, .optional), "last": (0, .optional), "value": (0, .dynamic), "orValue": (1, .dynamic),
    ]

    func staticType() throws(ExpressionError) -> StaticType {
        switch self {
        case .literal(let value):
            switch value {
            case .string: return .string
            case .int: return .int
            case .bool: return .bool
            default: return .dynamic
            }
        case .variable, .member, .index: return .dynamic
        case .method(_, let name, _): return Self.methods[name]?.result ?? .dynamic
        case .function(let name, _): return name == "has" ? .bool : name == "size" ? .int : .string
        case .binary(let op, let left, let right):
            if ["==", "!=", "<", "<=", ">", ">=", "&&", "||"].contains(op) { return .bool }
            let (a, b) = (try left.staticType(), try right.staticType())
            if a == .dynamic { return b }
            if b == .dynamic || a == b { return a }
            throw .syntax("found no matching overload for '_\(op)_' applied to '(\(a), \(b))'", position: 0)
        case .not: return .bool
        case .conditional(_, let then, let otherwise):
            let (a, b) = (try then.staticType(), try otherwise.staticType())
            return a == b ? a : .dynamic
        }
    }

    func evaluate(_ variables: [String: JSONValue]) throws(ExpressionError) -> Value {
        switch self {
        case .literal(let value):
            return value
        case .variable(let name):
            guard let value = variables[name] else { throw .evaluation("undeclared reference to '\(name)'") }
            return try Value(value)
        case .member(let target, let field):
            guard case .map(let object) = try target.evaluate(variables) else {
                throw .evaluation("type does not support field selection: .\(field)")
            }
            guard let value = object[field] else { throw .noSuchKey(field) }
            return try Value(value)
        case .index(let target, let key):
            switch (try target.evaluate(variables), try key.evaluate(variables)) {
            case (.map(let object), .string(let name)):
                guard let value = object[name] else { throw .noSuchKey(name) }
                return try Value(value)
            case (.list(let items), .int(let position)):
                guard items.indices.contains(position) else { throw .evaluation("index out of range: \(position)") }
                return items[position]
            case (let container, let index):
                throw .evaluation("no such overload: \(container.typeName)[\(index.typeName)]")
            }
        case .method(let target, let name, let arguments):
            var values: [Value] = []
            for argument in arguments { values.append(try argument.evaluate(variables)) }
            return try Self.call(name, on: try target.evaluate(variables), values)
        case .function(let name, let arguments):
            return try Self.function(name, arguments, variables)
        case .not(let operand):
            guard case .bool(let flag) = try operand.evaluate(variables) else { throw .evaluation("no such overload: !_") }
            return .bool(!flag)
        case .conditional(let condition, let then, let otherwise):
            guard case .bool(let flag) = try condition.evaluate(variables) else { throw .evaluation("ternary condition is not a bool") }
            return try (flag ? then : otherwise).evaluate(variables)
        case .binary(let op, let left, let right):
            if op == "&&" || op == "||" {
                guard case .bool(let first) = try left.evaluate(variables) else { throw .evaluation("no such overload: _\(op)_") }
                if op == "&&" && !first { return .bool(false) }
                if op == "||" && first { return .bool(true) }
                guard case .bool(let second) = try right.evaluate(variables) else { throw .evaluation("no such overload: _\(op)_") }
                return .bool(second)
            }
            return try Self.binary(op, try left.evaluate(variables), try right.evaluate(variables))
        }
    }

    static func binary(_ op: String, _ left: Value, _ right: Value) throws(ExpressionError) -> Value {
        switch (op, left, right) {
        case ("+", .string(let a), .string(let b)): return .string(a + b)
        case ("+", .int(let a), .int(let b)):
            let (sum, overflow) = a.addingReportingOverflow(b)
            guard !overflow else { throw .evaluation("integer overflow") }
            return .int(sum)
        case ("+", .list(let a), .list(let b)): return .list(a + b)
        case ("==", _, _): return .bool(left == right)
        case ("!=", _, _): return .bool(left != right)
        case (_, .string(let a), .string(let b)): return .bool(compare(op, a < b, a == b))
        case (_, .int(let a), .int(let b)): return .bool(compare(op, a < b, a == b))
        default: throw .evaluation("no such overload: \(left.typeName) \(op) \(right.typeName)")
        }
    }

    private static func compare(_ op: String, _ less: Bool, _ equal: Bool) -> Bool {
        switch op {
        case "<": less
        case "<=": less || equal
        case ">": !less && !equal
        default: !less
        }
    }

    static func call(_ name: String, on target: Value, _ arguments: [Value]) throws(ExpressionError) -> Value {
        let strings = arguments.compactMap { argument -> String? in
            if case .string(let text) = argument { return text }
            return nil
        }
        let allStrings = strings.count == arguments.count
        switch (name, target) {
        case ("lowerAscii", .string(let text)): return .string(ascii(text, upper: false))
        case ("upperAscii", .string(let text)): return .string(ascii(text, upper: true))
        case ("trim", .string(let text)):
            return .string(String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()))
        case ("split", .string(let text)) where allStrings:
            let separator = strings[0]
            let parts: [Substring] =
                separator.isEmpty ? text.map { Substring(String($0)) } : text.split(separator: separator, omittingEmptySubsequences: false)
            return .list(parts.map { .string(String($0)) })
        case ("join", .list(let items)) where allStrings:
            var parts: [String] = []
            for item in items {
                guard case .string(let text) = item else { throw .evaluation("join: list element is a \(item.typeName)") }
                parts.append(text)
            }
            return .string(parts.joined(separator: strings[0]))
        case ("replace", .string(let text)) where allStrings:
            guard !strings[0].isEmpty else { return .string(text) }
            return .string(text.split(separator: strings[0], omittingEmptySubsequences: false).joined(separator: strings[1]))
        case ("contains", .string(let text)) where allStrings: return .bool(strings[0].isEmpty || text.contains(strings[0]))
        case ("startsWith", .string(let text)) where allStrings: return .bool(text.hasPrefix(strings[0]))
        case ("endsWith", .string(let text)) where allStrings: return .bool(text.hasSuffix(strings[0]))
        case ("size", _): return try size(target)
        case ("first", .list(let items)): return .optional(items.first)
        case ("last", .list(let items)): return .optional(items.last)
        case ("value", .optional(let wrapped)):
            guard let wrapped else { throw .evaluation("optional.none() dereference") }
            return wrapped
        case ("orValue", .optional(let wrapped)): return wrapped ?? arguments[0]
        default:
            throw .evaluation("no such overload: \(target.typeName).\(name)(\(arguments.map(\.typeName).joined(separator: ", ")))")
        }
    }

    static func function(_ name: String, _ arguments: [Node], _ variables: [String: JSONValue]) throws(ExpressionError) -> Value {
        switch name {
        case "has":
            guard case .member(let target, let field) = arguments[0] else { throw .evaluation("has() needs a field selection") }
            guard case .map(let object) = try target.evaluate(variables) else { return .bool(false) }
            return .bool(object[field] != nil)
        case "size":
            return try size(try arguments[0].evaluate(variables))
        case "string":
            switch try arguments[0].evaluate(variables) {
            case .string(let text): return .string(text)
            case .int(let number): return .string(String(number))
            case .bool(let flag): return .string(flag ? "true" : "false")
            case let other: throw .evaluation("no such overload: string(\(other.typeName))")
            }
        default:
            throw .evaluation("no such overload: \(name)")
        }
    }

    static func size(_ value: Value) throws(ExpressionError) -> Value {
        switch value {
        case .string(let text): .int(text.unicodeScalars.count)
        case .list(let items): .int(items.count)
        case .map(let object): .int(object.count)
        default: throw .evaluation("no such overload: size(\(value.typeName))")
        }
    }

    static func ascii(_ text: String, upper: Bool) -> String {
        String(
            decoding: text.utf8.map { byte in
                if upper, byte >= UInt8(ascii: "a"), byte <= UInt8(ascii: "z") { return byte - 32 }
                if !upper, byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") { return byte + 32 }
                return byte
            }, as: UTF8.self)
    }
}
