/// An Event's uid as the occurrence tracker keeps it: a UUID as 16 inline bytes, anything else as text.
///
/// API servers write RFC 4122 uids (`8a4b2c6e-1f0d-4c3a-9e7b-5d6f8a9b0c1d`). Kept as a `String`, each one
/// is a heap allocation that outlives the list page it was read from; thousands of them pin the pages of
/// the page's garbage, which then cannot go back to the kernel. Inline, they cost nothing extra.
enum EventUID: Hashable, Sendable {
    case uuid(UInt64, UInt64)
    case text(String)

    init(_ uid: String) {
        self = Self.parse(uid).map { .uuid($0.0, $0.1) } ?? .text(uid)
    }

    /// The two halves of a canonical 36-character UUID (hex digits, dashes at 8, 13, 18 and 23).
    private static func parse(_ uid: String) -> (UInt64, UInt64)? {
        guard uid.utf8.count == 36 else { return nil }
        var halves: (UInt64, UInt64) = (0, 0)
        var digits = 0
        for (offset, byte) in uid.utf8.enumerated() {
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            let value: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
            default: return nil  // upper case is not canonical: kept as text, so "A" and "a" stay distinct
            }
            if digits < 16 {
                halves.0 = halves.0 << 4 | UInt64(value)
            } else {
                halves.1 = halves.1 << 4 | UInt64(value)
            }
            digits += 1
        }
        return halves
    }
}
