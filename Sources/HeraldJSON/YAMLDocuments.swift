import CYAML

/// Why a YAML text could not be read, with the 1-based line and column libyaml reported.
public struct YAMLParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let reason: String

    public var description: String { "invalid YAML at line \(line), column \(column): \(reason)" }
}

/// Reads a YAML stream (one or more `---` documents) as JSON values, through libyaml.
///
/// Kubernetes manifests and kubeconfigs are YAML views of JSON objects, so every YAML input in Herald
/// becomes a ``JSONValue`` and is decoded by the same code as API objects. Scalars are resolved with the
/// YAML 1.2 core schema (`true`/`false`, `null`/`~`, integers, floats); quoted scalars are always strings.
public enum YAMLDocuments {
    /// Deepest nesting accepted, the same bound as ``JSONParser``.
    public static let maximumDepth = JSONParser.maximumDepth

    /// Every document in `text`; an empty document (only comments, or nothing) is `.null`.
    public static func parse(_ text: String) throws(YAMLParseError) -> [JSONValue] {
        var reader = Reader()
        return try reader.read(Array(text.utf8))
    }

    private enum Frame {
        case sequence([JSONValue], anchor: String?)
        case mapping(MemberBuilder, pendingKey: String?, anchor: String?)
    }

    private struct Reader {
        var documents: [JSONValue] = []
        var stack: [Frame] = []
        var anchors: [String: JSONValue] = [:]
        var current: JSONValue?

        mutating func read(_ bytes: [UInt8]) throws(YAMLParseError) -> [JSONValue] {
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                throw YAMLParseError(line: 0, column: 0, reason: "libyaml could not initialise a parser")
            }
            defer { yaml_parser_delete(&parser) }
            return try bytes.withUnsafeBufferPointer { (buffer) throws(YAMLParseError) -> [JSONValue] in
                yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
                var event = yaml_event_t()
                while true {
                    guard yaml_parser_parse(&parser, &event) == 1 else {
                        let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
                        let context = parser.context.map { String(cString: $0) + ": " } ?? ""
                        throw YAMLParseError(
                            line: Int(parser.problem_mark.line) + 1,
                            column: Int(parser.problem_mark.column) + 1,
                            reason: context + problem
                        )
                    }
                    defer { yaml_event_delete(&event) }
                    let mark = event.start_mark
                    if event.type == YAML_STREAM_END_EVENT { break }
                    try handle(&event, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
                }
                return documents
            }
        }

        mutating func handle(_ event: inout yaml_event_t, line: Int, column: Int) throws(YAMLParseError) {
            switch event.type {
            case YAML_DOCUMENT_START_EVENT:
                anchors = [:]
                current = nil
            case YAML_DOCUMENT_END_EVENT:
                documents.append(current ?? .null)
                current = nil
            case YAML_SEQUENCE_START_EVENT:
                guard stack.count < YAMLDocuments.maximumDepth else {
                    throw YAMLParseError(line: line, column: column, reason: "nesting deeper than \(YAMLDocuments.maximumDepth)")
                }
                stack.append(.sequence([], anchor: string(event.data.sequence_start.anchor)))
            case YAML_MAPPING_START_EVENT:
                guard stack.count < YAMLDocuments.maximumDepth else {
                    throw YAMLParseError(line: line, column: column, reason: "nesting deeper than \(YAMLDocuments.maximumDepth)")
                }
                stack.append(.mapping(MemberBuilder(), pendingKey: nil, anchor: string(event.data.mapping_start.anchor)))
            case YAML_SEQUENCE_END_EVENT:
                guard case .sequence(let elements, let anchor) = stack.popLast() else { return }
                try add(.array(elements), anchor: anchor, line: line, column: column)
            case YAML_MAPPING_END_EVENT:
                guard case .mapping(let object, _, let anchor) = stack.popLast() else { return }
                try add(.object(JSONObject(uniqueMembers: object.members)), anchor: anchor, line: line, column: column)
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let text =
                    scalar.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self) }
                    ?? ""
                let tag = string(scalar.tag)
                let value = resolve(text, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE, tag: tag)
                try add(value, anchor: string(scalar.anchor), line: line, column: column)
            case YAML_ALIAS_EVENT:
                let name = string(event.data.alias.anchor) ?? ""
                guard let value = anchors[name] else {
                    throw YAMLParseError(line: line, column: column, reason: "unknown alias *\(name)")
                }
                try add(value, anchor: nil, line: line, column: column)
            default:
                break
            }
        }

        mutating func add(_ value: JSONValue, anchor: String?, line: Int, column: Int) throws(YAMLParseError) {
            if let anchor { anchors[anchor] = value }
            guard let top = stack.popLast() else {
                current = value
                return
            }
            // `consume`: the frame's array or builder is then referenced once, so appending to it does not
            // copy it (a copy per member made wide mappings quadratic).
            switch consume top {
            case .sequence(var elements, let seqAnchor):
                elements.append(value)
                stack.append(.sequence(elements, anchor: seqAnchor))
            case .mapping(var object, let pendingKey, let mapAnchor):
                if let pendingKey {
                    object.set(pendingKey, value)
                    stack.append(.mapping(object, pendingKey: nil, anchor: mapAnchor))
                } else {
                    let key: String
                    switch value {
                    case .string(let text), .number(let text): key = text
                    case .bool(let flag): key = flag ? "true" : "false"
                    case .null: key = "null"
                    case .array, .object:
                        throw YAMLParseError(line: line, column: column, reason: "a mapping key must be a scalar")
                    }
                    stack.append(.mapping(object, pendingKey: key, anchor: mapAnchor))
                }
            }
        }

        func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            guard let pointer else { return nil }
            return String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
        }
    }

    /// Resolves a scalar with the YAML 1.2 core schema.
    static func resolve(_ text: String, plain: Bool, tag: String?) -> JSONValue {
        switch tag {
        case "tag:yaml.org,2002:str": return .string(text)
        case "tag:yaml.org,2002:null": return .null
        case "tag:yaml.org,2002:bool": return .bool(text.lowercased() == "true")
        case nil, "!", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float": break
        default: return .string(text)
        }
        guard plain || tag != nil else { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let number = jsonNumber(text) { return .number(number) }
        return .string(text)
    }

    /// The scalar itself when it is a number in JSON's grammar, else nil.
    ///
    /// Forms YAML also reads as numbers but JSON cannot spell (`0x1F`, `+1`, `.5`, `007`) stay strings:
    /// no Kubernetes field that Herald reads is numeric, and a string keeps what the user wrote.
    static func jsonNumber(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            return index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return nil
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return nil }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return nil }
        }
        return index == bytes.count ? text : nil
    }
}
