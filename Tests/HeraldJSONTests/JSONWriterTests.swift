import HeraldJSON
import Testing

/// A string and the exact JSON text Go's `encoding/json` writes for it.
struct EscapeCase: Sendable, CustomTestStringConvertible {
    let name: String
    let input: String
    let goOutput: String
    var testDescription: String { name }
}

@Suite("JSONWriter (Go encoding/json bytes)")
struct JSONWriterTests {
    static let goEscapes: [EscapeCase] = [
        EscapeCase(name: "less-than becomes \\u003c", input: "<", goOutput: #""\u003c""#),
        EscapeCase(name: "greater-than becomes \\u003e", input: ">", goOutput: #""\u003e""#),
        EscapeCase(name: "ampersand becomes \\u0026", input: "&", goOutput: #""\u0026""#),
        EscapeCase(name: "U+2028 line separator is escaped", input: "a\u{2028}b", goOutput: #""a\u2028b""#),
        EscapeCase(name: "U+2029 paragraph separator is escaped", input: "a\u{2029}b", goOutput: #""a\u2029b""#),
        EscapeCase(name: "other E2-prefixed characters pass through", input: "✓…", goOutput: "\"✓…\""),
        EscapeCase(name: "quote and backslash", input: "\"\\", goOutput: #""\"\\""#),
        EscapeCase(name: "backspace is \\b", input: "\u{08}", goOutput: #""\b""#),
        EscapeCase(name: "form feed is \\f", input: "\u{0C}", goOutput: #""\f""#),
        EscapeCase(name: "newline is \\n", input: "\n", goOutput: #""\n""#),
        EscapeCase(name: "carriage return is \\r", input: "\r", goOutput: #""\r""#),
        EscapeCase(name: "tab is \\t", input: "\t", goOutput: #""\t""#),
        EscapeCase(name: "NUL is \\u0000", input: "\u{00}", goOutput: #""\u0000""#),
        EscapeCase(name: "other control characters use lower-case hex", input: "\u{1F}\u{1B}\u{0B}", goOutput: #""\u001f\u001b\u000b""#),
        EscapeCase(name: "solidus is not escaped", input: "a/b", goOutput: #""a/b""#),
        EscapeCase(name: "DEL is not escaped", input: "\u{7F}", goOutput: "\"\u{7F}\""),
        EscapeCase(name: "non-ASCII text is written as UTF-8", input: "héllo 😀", goOutput: "\"héllo 😀\""),
    ]

    @Test("strings are escaped exactly as Go escapes them", arguments: goEscapes)
    func goEscaping(_ example: EscapeCase) {
        #expect(JSONWriter.string(.string(example.input)) == example.goOutput)
    }

    @Test("escapeHTML false leaves <, > and & as they are, other escapes unchanged")
    func escapeHTMLOff() {
        let value: JSONValue = ["a<b>&c": "<x>&\n\u{2028}"]
        #expect(JSONWriter.string(value, escapeHTML: false) == #"{"a<b>&c":"<x>&\n\u2028"}"#)
        #expect(JSONWriter.string(value) == #"{"a\u003cb\u003e\u0026c":"\u003cx\u003e\u0026\n\u2028"}"#)
    }

    @Test("member names are escaped like strings")
    func keysEscaped() {
        #expect(JSONWriter.string(["\"k\"\t": 1]) == #"{"\"k\"\t":1}"#)
    }

    @Test("output is compact and objects keep their member order")
    func compactAndOrdered() {
        var object = JSONObject()
        object.append("zeta", 1)
        object.append("alpha", [true, false, nil])
        object.append("mid", ["x": "y"])
        object.append("num", .number("-1.5e3"))
        #expect(JSONWriter.string(.object(object)) == #"{"zeta":1,"alpha":[true,false,null],"mid":{"x":"y"},"num":-1.5e3}"#)
    }

    @Test("sortedObject writes a Go map: keys sorted by byte order")
    func sortedMap() {
        let value = JSONValue.sortedObject(["b": "2", "a": "1", "B": "3", "a.b/c": "4"])
        #expect(JSONWriter.string(value) == #"{"B":"3","a":"1","a.b/c":"4","b":"2"}"#)
    }

    @Test("bytes and string forms are the same text")
    func bytesMatchString() {
        let value: JSONValue = ["k": "é<"]
        #expect(JSONWriter.bytes(value) == Array(JSONWriter.string(value).utf8))
    }

    @Test("writing then parsing gives back the same value")
    func roundTrip() throws {
        let value: JSONValue = ["s": "a\u{01}<\u{2028}😀\"\\", "n": .number("12.5"), "l": [nil, true, ["x": []]]]
        #expect(try JSONParser.parse(JSONWriter.bytes(value)) == value)
    }
}
