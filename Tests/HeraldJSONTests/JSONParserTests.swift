import HeraldJSON
import Testing

/// A named input for table-driven parser tests.
struct ParserCase: Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    let expected: JSONValue?
    var testDescription: String { name }

    init(_ name: String, _ text: String, _ expected: JSONValue? = nil) {
        self.name = name
        self.text = text
        self.expected = expected
    }
}

@Suite("JSONParser (RFC 8259, Go decoder behaviour)")
struct JSONParserTests {
    static let valid: [ParserCase] = [
        ParserCase("null literal", "null", .null),
        ParserCase("true literal", "true", .bool(true)),
        ParserCase("false literal", "false", .bool(false)),
        ParserCase("integer keeps its lexical form", "42", .number("42")),
        ParserCase("negative exponent keeps its lexical form", "-1.5e3", .number("-1.5e3")),
        ParserCase("upper-case exponent with sign", "2E+10", .number("2E+10")),
        ParserCase("zero", "0", .number("0")),
        ParserCase("empty string", "\"\"", .string("")),
        ParserCase("empty array", "[]", .array([])),
        ParserCase("empty object", "{}", .object(JSONObject())),
        ParserCase("surrounding whitespace is skipped", " \t\r\n{ \"a\" : [ 1 , 2 ] }\n ", ["a": [1, 2]]),
        ParserCase("nested values", #"{"a":{"b":[true,null,"x"]}}"#, ["a": ["b": [true, nil, "x"]]]),
        ParserCase("raw UTF-8 passes through", "\"héllo ✓\"", .string("héllo ✓")),
    ]

    @Test("valid JSON texts parse to the expected value", arguments: valid)
    func validInputs(_ example: ParserCase) throws {
        let value = try JSONParser.parse(example.text)
        #expect(value == example.expected)
    }

    static let invalid: [ParserCase] = [
        ParserCase("empty input", ""),
        ParserCase("only whitespace", "   "),
        ParserCase("trailing comma in array", "[1,]"),
        ParserCase("trailing comma in object", #"{"a":1,}"#),
        ParserCase("leading zero", "01"),
        ParserCase("leading plus", "+1"),
        ParserCase("fraction without digits", "1."),
        ParserCase("exponent without digits", "1e"),
        ParserCase("bare dot fraction", ".5"),
        ParserCase("single-quoted string", "'a'"),
        ParserCase("unquoted member name", "{a:1}"),
        ParserCase("missing colon", #"{"a" 1}"#),
        ParserCase("unterminated string", #""abc"#),
        ParserCase("raw control character in a string", "\"a\u{01}b\""),
        ParserCase("raw newline in a string", "\"a\nb\""),
        ParserCase("invalid escape", #""\x41""#),
        ParserCase("short unicode escape", #""\u12""#),
        ParserCase("non-hex unicode escape", #""\u12G4""#),
        ParserCase("misspelled literal", "nul"),
        ParserCase("capitalised literal", "True"),
        ParserCase("two values", "1 2"),
        ParserCase("data after an object", "{} x"),
        ParserCase("unclosed array", "[1, 2"),
        ParserCase("unclosed object", #"{"a":1"#),
        ParserCase("NaN is not JSON", "NaN"),
    ]

    @Test("invalid JSON texts are rejected", arguments: invalid)
    func invalidInputs(_ example: ParserCase) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(example.text) }
    }

    @Test("parse error reports the byte offset where reading stopped")
    func errorOffset() {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse("[1, x]") }
        #expect(error?.offset == 4)
        #expect(error?.description.hasPrefix("invalid JSON at byte 4:") == true)
    }

    static let escapes: [ParserCase] = [
        ParserCase("quote", #""\"""#, "\""),
        ParserCase("backslash", #""\\""#, "\\"),
        ParserCase("solidus", #""\/""#, "/"),
        ParserCase("backspace", #""\b""#, "\u{08}"),
        ParserCase("form feed", #""\f""#, "\u{0C}"),
        ParserCase("newline", #""\n""#, "\n"),
        ParserCase("carriage return", #""\r""#, "\r"),
        ParserCase("tab", #""\t""#, "\t"),
        ParserCase("unicode escape, lower-case hex", #""\u00e9""#, "é"),
        ParserCase("unicode escape, upper-case hex", #""\u00E9""#, "é"),
        ParserCase("escaped HTML characters", #""\u003c\u003e\u0026""#, "<>&"),
        ParserCase("escapes mixed with text", #""a\tb\u0041c""#, "a\tbAc"),
        ParserCase("surrogate pair is one scalar", #""\ud83d\ude00""#, "😀"),
        ParserCase("lone high surrogate becomes U+FFFD", #""\ud83dx""#, "\u{FFFD}x"),
        ParserCase("lone low surrogate becomes U+FFFD", #""\ude00""#, "\u{FFFD}"),
        ParserCase("high surrogate followed by a non-surrogate escape", #""\ud83d\u0041""#, "\u{FFFD}A"),
    ]

    @Test("string escapes decode as Go's decoder does", arguments: escapes)
    func stringEscapes(_ example: ParserCase) throws {
        #expect(try JSONParser.parse(example.text) == example.expected)
    }

    @Test("nesting up to the depth limit is accepted")
    func depthLimitAccepted() throws {
        let depth = JSONParser.maximumDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var value = try JSONParser.parse(text)
        var levels = 0
        while case .array(let elements) = value {
            levels += 1
            value = elements.first ?? .null
        }
        #expect(levels == depth)
    }

    @Test("nesting one deeper than the limit is rejected")
    func depthLimitRejected() {
        let depth = JSONParser.maximumDepth + 1
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(arrays) }
        #expect(error?.reason.contains("nesting deeper than") == true)
        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(objects) }
    }

    @Test("duplicate member names: the last one wins, in the first one's position")
    func duplicateKeysLastWins() throws {
        let value = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#)
        let object = try #require(value.objectValue)
        #expect(object.count == 2)
        #expect(object["a"] == .number("3"))
        #expect(object.keys == ["a", "b"])
    }

    @Test("object members keep their document order")
    func memberOrder() throws {
        let value = try JSONParser.parse(#"{"z":1,"a":2,"m":3}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
    }

    @Test("byte-array and string entry points agree")
    func bytesEntryPoint() throws {
        let text = #"{"k":["v",1.0]}"#
        #expect(try JSONParser.parse(Array(text.utf8)) == (try JSONParser.parse(text)))
    }
}
