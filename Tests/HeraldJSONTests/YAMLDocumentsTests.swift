import HeraldJSON
import Testing

/// A plain or quoted YAML scalar and the JSON value it resolves to.
struct ScalarCase: Sendable, CustomTestStringConvertible {
    let name: String
    let yaml: String
    let expected: JSONValue
    var testDescription: String { name }
}

@Suite("YAMLDocuments (YAML read as JSON)")
struct YAMLDocumentsTests {
    /// The value of key `v` in a one-document stream `v: <scalar>`.
    func scalar(_ yaml: String) throws -> JSONValue? {
        let documents = try YAMLDocuments.parse("v: \(yaml)\n")
        try #require(documents.count == 1)
        return documents[0]["v"]
    }

    static let scalars: [ScalarCase] = [
        ScalarCase(name: "plain text is a string", yaml: "hello world", expected: "hello world"),
        ScalarCase(name: "plain integer is a number", yaml: "42", expected: .number("42")),
        ScalarCase(name: "plain negative float is a number", yaml: "-1.5", expected: .number("-1.5")),
        ScalarCase(name: "plain exponent is a number", yaml: "1e3", expected: .number("1e3")),
        ScalarCase(name: "hex 0x1F is not a JSON number: kept as a string", yaml: "0x1F", expected: "0x1F"),
        ScalarCase(name: "octal-looking 007 is kept as a string", yaml: "007", expected: "007"),
        ScalarCase(name: "0o17 is kept as a string", yaml: "0o17", expected: "0o17"),
        ScalarCase(name: "leading plus +1 is kept as a string", yaml: "+1", expected: "+1"),
        ScalarCase(name: ".5 is kept as a string", yaml: ".5", expected: ".5"),
        ScalarCase(name: ".inf is kept as a string", yaml: ".inf", expected: ".inf"),
        ScalarCase(name: "version-like 1.2.3 is a string", yaml: "1.2.3", expected: "1.2.3"),
        ScalarCase(name: "duration 10m is a string", yaml: "10m", expected: "10m"),
        ScalarCase(name: "true is a boolean", yaml: "true", expected: true),
        ScalarCase(name: "True is a boolean", yaml: "True", expected: true),
        ScalarCase(name: "FALSE is a boolean", yaml: "FALSE", expected: false),
        ScalarCase(name: "yes is a string in YAML 1.2", yaml: "yes", expected: "yes"),
        ScalarCase(name: "on is a string in YAML 1.2", yaml: "on", expected: "on"),
        ScalarCase(name: "null is null", yaml: "null", expected: nil),
        ScalarCase(name: "tilde is null", yaml: "~", expected: nil),
        ScalarCase(name: "NULL is null", yaml: "NULL", expected: nil),
        ScalarCase(name: "an empty value is null", yaml: "", expected: nil),
        ScalarCase(name: "single-quoted number stays a string", yaml: "'42'", expected: "42"),
        ScalarCase(name: "double-quoted true stays a string", yaml: "\"true\"", expected: "true"),
        ScalarCase(name: "quoted null stays a string", yaml: "'null'", expected: "null"),
        ScalarCase(name: "quoted empty string is an empty string", yaml: "\"\"", expected: ""),
        ScalarCase(name: "quoted * is a string", yaml: "'*'", expected: "*"),
        ScalarCase(name: "double-quoted escapes are decoded", yaml: #""a\tb\u00e9""#, expected: "a\tbé"),
        ScalarCase(name: "!!str tag forces a string", yaml: "!!str 42", expected: "42"),
        ScalarCase(name: "!!int tag on a JSON number is a number", yaml: "!!int 7", expected: .number("7")),
        ScalarCase(name: "literal block keeps newlines", yaml: "|\n  a\n  b", expected: "a\nb\n"),
    ]

    @Test("scalars resolve with the YAML 1.2 core schema; quoted scalars are strings", arguments: scalars)
    func scalarResolution(_ example: ScalarCase) throws {
        #expect(try scalar(example.yaml) == example.expected)
    }

    @Test("a stream of --- documents gives one value per document, in order")
    func multiDocument() throws {
        let text = """
            apiVersion: v1
            kind: A
            ---
            kind: B
            ---
            - 1
            - two
            """
        let documents = try YAMLDocuments.parse(text)
        #expect(documents == [["apiVersion": "v1", "kind": "A"], ["kind": "B"], [.number("1"), "two"]])
    }

    @Test("an empty document (comments only) is null")
    func emptyDocument() throws {
        let documents = try YAMLDocuments.parse("---\n# only a comment\n---\nk: v\n")
        #expect(documents == [nil, ["k": "v"]])
    }

    @Test("empty input has no documents")
    func emptyInput() throws {
        #expect(try YAMLDocuments.parse("") == [])
    }

    @Test("aliases repeat the anchored scalar, sequence and mapping")
    func anchorsAndAliases() throws {
        let text = """
            base: &b
              a: 1
              b: x
            list: &l [1, 2]
            name: &n webapp
            copy: *b
            again: *l
            same: *n
            """
        let value = try #require(try YAMLDocuments.parse(text).first)
        #expect(value["copy"] == ["a": 1, "b": "x"])
        #expect(value["again"] == [1, 2])
        #expect(value["same"] == "webapp")
    }

    @Test("anchors do not leak from one document to the next")
    func anchorsPerDocument() {
        let error = #expect(throws: YAMLParseError.self) { try YAMLDocuments.parse("a: &x 1\n---\nb: *x\n") }
        #expect(error != nil)
    }

    @Test("mapping order is kept and a repeated key keeps the last value")
    func mappingOrder() throws {
        let value = try #require(try YAMLDocuments.parse("z: 1\na: 2\nm: 3\na: 4\n").first)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value["a"] == 4)
    }

    @Test("plain numbers and booleans used as keys become string keys")
    func scalarKeys() throws {
        let value = try #require(try YAMLDocuments.parse("1: one\ntrue: yes\n").first)
        #expect(value["1"] == "one")
        #expect(value["true"] == "yes")
    }

    @Test("a complex (mapping) key is rejected")
    func complexKeyRejected() {
        #expect(throws: YAMLParseError.self) { try YAMLDocuments.parse("? {a: 1}\n: v\n") }
    }

    @Test("syntax errors carry libyaml's 1-based line and column")
    func errorLineAndColumn() {
        let text = "ok: 1\nlist:\n  - a\nbad: x: y\n"
        let error = #expect(throws: YAMLParseError.self) { try YAMLDocuments.parse(text) }
        #expect(error?.line == 4)
        #expect(error?.column == 7)
        #expect(error?.reason.contains("mapping values are not allowed") == true)
        #expect(error?.description.hasPrefix("invalid YAML at line 4, column 7:") == true)
    }

    @Test("an unclosed flow sequence is an error on the line where the input ends")
    func unclosedFlow() {
        let error = #expect(throws: YAMLParseError.self) { try YAMLDocuments.parse("a: [1, 2\n") }
        #expect(error?.line == 2)
    }

    @Test("an unknown alias is an error naming the alias")
    func unknownAlias() {
        let error = #expect(throws: YAMLParseError.self) { try YAMLDocuments.parse("a: *missing\n") }
        #expect(error?.reason.contains("missing") == true)
    }

    @Test("nesting deeper than the JSON limit is rejected")
    func depthLimit() {
        let depth = YAMLDocuments.maximumDepth + 1
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: YAMLParseError.self) { try YAMLDocuments.parse(text) }
    }

    @Test("JSON is valid YAML and reads the same")
    func jsonAsYAML() throws {
        let text = #"{"a": [1, "x", true, null], "b": {"c": "d"}}"#
        #expect(try YAMLDocuments.parse(text) == [try JSONParser.parse(text)])
    }
}
