import HeraldJSON
import Testing

/// Width is no attack: objects and YAML mappings of any width read in time proportional to their size.
/// Issue 21 measured 11 s for 100,000 keys with a scan per member; 400,000 would take minutes that way,
/// so without linear time this suite runs into its time limit.
@Suite("Wide objects parse in linear time", .timeLimit(.minutes(1)))
struct WideInputTests {
    static let width = 400_000

    static func wideObject(width: Int) -> String {
        var text = "{"
        text.reserveCapacity(width * 14)
        for index in 0..<width {
            if index > 0 { text += "," }
            text += "\"k\(index)\":\(index)"
        }
        return text + "}"
    }

    @Test("an object of 400,000 keys parses, in order, every member kept")
    func wideObject() throws {
        let value = try JSONParser.parse(Self.wideObject(width: Self.width))
        let object = try #require(value.objectValue)
        #expect(object.count == Self.width)
        #expect(object.members.first?.key == "k0")
        #expect(object.members.last?.key == "k\(Self.width - 1)")
        #expect(object.members[12_345].value == .integer(12_345))
        // Comparing two wide objects is linear too.
        #expect(value == (try JSONParser.parse(Self.wideObject(width: Self.width))))
    }

    @Test("a repeated key keeps its first place and its last value, in narrow and wide objects")
    func duplicateKeys() throws {
        let narrow = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(narrow.objectValue?.keys == ["a", "b"])
        #expect(narrow["a"] == .integer(3))
        var wide = "{"
        for index in 0..<100 { wide += "\"k\(index)\":\(index)," }
        wide += #""k7":"last","k99":null}"#
        let parsed = try #require(try JSONParser.parse(wide).objectValue)
        #expect(parsed.count == 100)
        #expect(parsed.keys[7] == "k7")
        #expect(parsed["k7"] == .string("last"))
        #expect(parsed["k99"] == .null)
        #expect(JSONObject([("x", 1), ("y", 2), ("x", 3)]).keys == ["x", "y"])
    }

    @Test("a YAML mapping of 100,000 keys reads in linear time")
    func wideYAML() throws {
        var text = ""
        text.reserveCapacity(100_000 * 12)
        for index in 0..<100_000 { text += "k\(index): \(index)\n" }
        text += "k5: again\n"
        let documents = try YAMLDocuments.parse(text)
        let object = try #require(documents.first?.objectValue)
        #expect(object.count == 100_000)
        #expect(object["k5"] == .string("again"))
    }
}
