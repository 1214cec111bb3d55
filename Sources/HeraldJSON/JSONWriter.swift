/// Writes ``JSONValue`` trees as compact JSON bytes, the way Go's `encoding/json` does.
///
/// Flux receivers verify `generic-hmac` signatures over the exact bytes, so the escaping follows Go:
/// `<`, `>` and `&` become `\u003c`, `\u003e`, `\u0026` (unless `escapeHTML` is off), U+2028 and U+2029
/// are escaped, control characters use `\b \f \n \r \t` or `\u00XX` with lower-case hex.
public struct JSONWriter {
    /// The bytes Go's `encoding/json` writes for `value`; `escapeHTML` as Go's `SetEscapeHTML`.
    public static func bytes(_ value: JSONValue, escapeHTML: Bool = true) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(value, into: &output, escapeHTML: escapeHTML)
        return output
    }

    /// `bytes(_:escapeHTML:)` as a string.
    public static func string(_ value: JSONValue, escapeHTML: Bool = true) -> String {
        String(decoding: bytes(value, escapeHTML: escapeHTML), as: UTF8.self)
    }

    /// Appends `value` to `output`, so nested writers share one buffer.
    public static func write(_ value: JSONValue, into output: inout [UInt8], escapeHTML: Bool = true) {
        switch value {
        case .null: output.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(true): output.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        case .bool(false): output.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
        case .number(let text): output.append(contentsOf: text.utf8)
        case .string(let text): writeString(text, into: &output, escapeHTML: escapeHTML)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                write(element, into: &output, escapeHTML: escapeHTML)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (position, member) in object.members.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                writeString(member.key, into: &output, escapeHTML: escapeHTML)
                output.append(UInt8(ascii: ":"))
                write(member.value, into: &output, escapeHTML: escapeHTML)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `text` as a quoted JSON string, escaped as Go escapes it.
    public static func writeString(_ text: String, into output: inout [UInt8], escapeHTML: Bool = true) {
        output.append(UInt8(ascii: "\""))
        var utf8 = text.utf8.makeIterator()
        var pending: [UInt8] = []
        while let byte = utf8.next() {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: output.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x00..<0x20: appendUnicodeEscape(UInt16(byte), into: &output)
            case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                if escapeHTML { appendUnicodeEscape(UInt16(byte), into: &output) } else { output.append(byte) }
            case 0xE2:
                // U+2028 and U+2029 are E2 80 A8 / E2 80 A9 in UTF-8.
                pending.removeAll(keepingCapacity: true)
                pending.append(byte)
                if let second = utf8.next() {
                    pending.append(second)
                    if let third = utf8.next() {
                        pending.append(third)
                        if second == 0x80, third == 0xA8 || third == 0xA9 {
                            appendUnicodeEscape(third == 0xA8 ? 0x2028 : 0x2029, into: &output)
                            continue
                        }
                    }
                }
                output.append(contentsOf: pending)
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func appendUnicodeEscape(_ code: UInt16, into output: inout [UInt8]) {
        output.append(contentsOf: [0x5C, UInt8(ascii: "u")])
        output.append(hexDigits[Int(code >> 12 & 0xF)])
        output.append(hexDigits[Int(code >> 8 & 0xF)])
        output.append(hexDigits[Int(code >> 4 & 0xF)])
        output.append(hexDigits[Int(code & 0xF)])
    }
}
