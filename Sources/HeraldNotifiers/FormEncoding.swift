import HeraldCore

/// `application/x-www-form-urlencoded` as Go's `net/url` writes it: keys sorted, values query-escaped.
enum FormEncoding {
    /// Go's `url.Values.Encode`: sorted by key (stable for repeated keys).
    static func encode(_ pairs: [(key: String, value: String)]) -> String {
        pairs.enumerated()
            .sorted { $0.element.key == $1.element.key ? $0.offset < $1.offset : $0.element.key < $1.element.key }
            .map { "\(queryEscape($0.element.key))=\(queryEscape($0.element.value))" }
            .joined(separator: "&")
    }

    /// Go's `url.ParseQuery`, leniently: pairs split at `&`, keys and values unescaped.
    static func parse(_ query: String) -> [(key: String, value: String)] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let unescape = { (text: Substring) in percentDecode(String(text.map { $0 == "+" ? " " : $0 })) }
            return (unescape(parts[0]), parts.count > 1 ? unescape(parts[1]) : "")
        }
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hex, as Go's `%x` prints a digest.
    var hexString: String {
        var text = ""
        for byte in self {
            text.append(Character(Unicode.Scalar(Self.digits[Int(byte >> 4)])))
            text.append(Character(Unicode.Scalar(Self.digits[Int(byte & 0xF)])))
        }
        return text
    }

    private static var digits: [UInt8] { Array("0123456789abcdef".utf8) }
}
