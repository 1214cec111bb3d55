/// A recursive-descent parser for ``CommitStatusExpression``'s CEL subset, with CEL's precedence:
/// `?:` < `||` < `&&` < relations < `+` < unary `!` < member, index and call.
struct Parser {
    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0

    init(source: String) {
        bytes = Array(source.utf8)
    }

    mutating func parseExpression() throws(ExpressionError) -> Node {
        let node = try conditional()
        skipSpace()
        guard position == bytes.count else { throw syntax("unexpected \(describe(peekToken()))") }
        return node
    }

    // MARK: Grammar

    private mutating func conditional() throws(ExpressionError) -> Node {
        try enter()
        defer { depth -= 1 }
        let condition = try or()
        guard consume("?") else { return condition }
        let then = try conditional()
        guard consume(":") else { throw syntax("expected ':' in the ternary") }
        return .conditional(condition, then, try conditional())
    }

    private mutating func or() throws(ExpressionError) -> Node {
        var node = try and()
        while consume("||") { node = .binary("||", node, try and()) }
        return node
    }

    private mutating func and() throws(ExpressionError) -> Node {
        var node = try relation()
        while consume("&&") { node = .binary("&&", node, try relation()) }
        return node
    }

    private mutating func relation() throws(ExpressionError) -> Node {
        var node = try addition()
        while true {
            if let op = ["==", "!=", "<=", ">=", "<", ">"].first(where: { peek($0) }) {
                _ = consume(op)
                node = .binary(op, node, try addition())
            } else if peekWord("in") {
                throw .unsupported("the 'in' operator")
            } else {
                return node
            }
        }
    }

    private mutating func addition() throws(ExpressionError) -> Node {
        var node = try unary()
        while true {
            if consume("+") {
                node = .binary("+", node, try unary())
            } else if let op = ["-", "*", "/", "%"].first(where: { peek($0) }) {
                throw .unsupported("the arithmetic operator '\(op)'")
            } else {
                return node
            }
        }
    }

    private mutating func unary() throws(ExpressionError) -> Node {
        try enter()
        defer { depth -= 1 }
        if consume("!") { return .not(try unary()) }
        if peek("-") { throw .unsupported("negation") }
        return try postfix()
    }

    private mutating func postfix() throws(ExpressionError) -> Node {
        var node = try primary()
        while true {
            if consume(".") {
                guard let name = identifier() else { throw syntax("expected a field or method name after '.'") }
                if consume("(") {
                    if Self.macros.contains(name) { throw .unsupported("the \(name)() macro") }
                    guard let signature = Node.methods[name] else { throw .unsupported("the method \(name)()") }
                    let arguments = try argumentList()
                    guard signature.arguments == arguments.count else {
                        throw syntax("\(name)() takes \(signature.arguments) argument(s), got \(arguments.count)")
                    }
                    node = .method(node, name, arguments)
                } else {
                    node = .member(node, name)
                }
            } else if consume("[") {
                try enter()
                let key = try conditional()
                depth -= 1
                guard consume("]") else { throw syntax("expected ']'") }
                node = .index(node, key)
            } else if peek("?.") || peek("[?") {
                throw .unsupported("optional field selection")
            } else {
                return node
            }
        }
    }

    private mutating func primary() throws(ExpressionError) -> Node {
        skipSpace()
        guard position < bytes.count else { throw syntax("unexpected end of expression") }
        let byte = bytes[position]
        if byte == UInt8(ascii: "(") {
            position += 1
            let node = try conditional()
            guard consume(")") else { throw syntax("expected ')'") }
            return node
        }
        if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") { return .literal(.string(try stringLiteral())) }
        if isDigit(byte) { return .literal(.int(try integerLiteral())) }
        if byte == UInt8(ascii: "[") { throw .unsupported("list literals") }
        if byte == UInt8(ascii: "{") { throw .unsupported("map literals") }
        guard let name = identifier() else { throw syntax("unexpected \(describe(peekToken()))") }
        switch name {
        case "true": return .literal(.bool(true))
        case "false": return .literal(.bool(false))
        case "null": return .literal(.null)
        case "event", "alert", "provider":
            if peek("(") { throw .unsupported("calling \(name)") }
            return .variable(name)
        default:
            if ["r", "R", "b", "B"].contains(name), peek("'") || peek("\"") {
                throw .unsupported(name.lowercased() == "b" ? "bytes literals" : "raw string literals")
            }
            guard consume("(") else { throw syntax("undeclared reference to '\(name)'") }
            let arguments = try argumentList()
            switch (name, arguments.count) {
            case ("has", 1):
                guard case .member = arguments[0] else { throw syntax("has() needs a field selection, such as has(event.metadata.env)") }
                return .function(name, arguments)
            case ("size", 1), ("string", 1):
                return .function(name, arguments)
            case (let macro, _) where Self.macros.contains(macro):
                throw .unsupported("the \(name)() macro")
            default:
                throw .unsupported("the function \(name)()")
            }
        }
    }

    /// CEL's comprehension macros: each is a loop, which the subset leaves out on purpose.
    static let macros: Set<String> = ["all", "exists", "exists_one", "map", "filter"]

    private mutating func argumentList() throws(ExpressionError) -> [Node] {
        var arguments: [Node] = []
        if consume(")") { return arguments }
        repeat {
            arguments.append(try conditional())
        } while consume(",")
        guard consume(")") else { throw syntax("expected ')' after the arguments") }
        if arguments.count > 4 { throw syntax("too many arguments") }
        return arguments
    }

    // MARK: Lexing

    private mutating func enter() throws(ExpressionError) {
        depth += 1
        guard depth <= CommitStatusExpression.maximumDepth * 2 else { throw .tooDeep }
    }

    private func syntax(_ message: String) -> ExpressionError { .syntax(message, position: position) }

    private mutating func skipSpace() {
        while position < bytes.count,
            [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(bytes[position])
        {
            position += 1
        }
    }

    private mutating func peek(_ token: String) -> Bool {
        skipSpace()
        let token = Array(token.utf8)
        return bytes.count - position >= token.count && Array(bytes[position..<position + token.count]) == token
    }

    private mutating func peekWord(_ word: String) -> Bool {
        guard peek(word) else { return false }
        let end = position + word.utf8.count
        return end == bytes.count || !isIdentifier(bytes[end])
    }

    private mutating func consume(_ token: String) -> Bool {
        guard peek(token) else { return false }
        // `|` and `&` alone, or `=` alone, are not tokens of this grammar.
        position += token.utf8.count
        return true
    }

    private mutating func peekToken() -> String {
        skipSpace()
        guard position < bytes.count else { return "end of expression" }
        return String(decoding: bytes[position..<min(position + 8, bytes.count)], as: UTF8.self)
    }

    private func describe(_ token: String) -> String { "'\(token)'" }

    private mutating func identifier() -> String? {
        skipSpace()
        guard position < bytes.count, isIdentifier(bytes[position]), !isDigit(bytes[position]) else { return nil }
        let start = position
        while position < bytes.count, isIdentifier(bytes[position]) { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private func isIdentifier(_ byte: UInt8) -> Bool {
        isDigit(byte) || byte == UInt8(ascii: "_") || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func integerLiteral() throws(ExpressionError) -> Int {
        let start = position
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") || bytes[position] | 0x20 == UInt8(ascii: "e") {
            if position + 1 < bytes.count, isDigit(bytes[position + 1]) { throw .unsupported("floating-point numbers") }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "u") { throw .unsupported("unsigned integers") }
        guard let value = Int(String(decoding: bytes[start..<position], as: UTF8.self)) else { throw syntax("integer out of range") }
        return value
    }

    private mutating func stringLiteral() throws(ExpressionError) -> String {
        let quote = bytes[position]
        if position + 2 < bytes.count, bytes[position + 1] == quote, bytes[position + 2] == quote {
            throw .unsupported("triple-quoted strings")
        }
        position += 1
        var output: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if byte == quote { return String(decoding: output, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { throw syntax("newline in a string literal") }
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                continue
            }
            guard position < bytes.count else { break }
            let escaped = bytes[position]
            position += 1
            switch escaped {
            case UInt8(ascii: "n"): output.append(UInt8(ascii: "\n"))
            case UInt8(ascii: "t"): output.append(UInt8(ascii: "\t"))
            case UInt8(ascii: "r"): output.append(UInt8(ascii: "\r"))
            case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"), UInt8(ascii: "?"): output.append(escaped)
            default: throw .unsupported("the escape sequence \\\(Character(Unicode.Scalar(escaped)))")
            }
        }
        throw syntax("unterminated string literal")
    }
}
