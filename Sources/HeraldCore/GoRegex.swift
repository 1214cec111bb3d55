import CRE2

/// A regular expression with the syntax and the guarantees of Go's `regexp`, which Flux uses for an
/// Alert's `inclusionList` and `exclusionList`.
///
/// Matching runs on RE2: time linear in the message, whatever the pattern, so no tenant's Alert can stall
/// routing for the others (a backtracking engine takes seconds on `^(\w+\s?)*$`). Each pattern compiles
/// within ``memoryBudget`` bytes, its program and DFA caches together, so the cost of many Alerts stays
/// bounded. Go's parser is the reference where it and C++ RE2 differ (``GoRegexSyntax``).
public final class GoRegex: @unchecked Sendable {
    // `@unchecked`: the RE2 object is immutable after compilation and RE2 documents concurrent matching
    // as safe (its DFA cache takes its own lock).
    private let handle: OpaquePointer
    public let pattern: String

    /// Bytes one compiled pattern may use: RE2's default is 8 MiB, which would multiply by the number of
    /// Alerts; 1 MiB fits patterns far larger than Alerts carry (RE2 falls back to its NFA, still linear,
    /// when a DFA cache fills).
    public static let memoryBudget: Int64 = 1 << 20

    /// Compiles `pattern`, or throws Go's reason (or RE2's, for a pattern beyond the memory budget).
    public init(_ pattern: String, memoryBudget: Int64 = GoRegex.memoryBudget) throws(GoRegexError) {
        let translated = try GoRegexSyntax.translate(pattern)
        let errorCapacity = 256
        var error = [CChar](repeating: 0, count: errorCapacity)
        var source = translated
        let compiled = source.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                herald_re2_compile(chars.baseAddress, chars.count, memoryBudget, &error, errorCapacity)
            }
        }
        guard let compiled else {
            let reason = error.withUnsafeBufferPointer { buffer in
                String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            throw GoRegexError(pattern: pattern, reason: reason)
        }
        self.handle = compiled
        self.pattern = pattern
    }

    deinit { herald_re2_free(handle) }

    /// Whether the pattern matches anywhere in `text`, as Go's `MatchString`.
    public func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in herald_re2_partial_match(handle, chars.baseAddress, chars.count) == 1 }
        }
    }

    /// RE2's estimate of the compiled program's size, for measurements.
    public var programSize: Int { Int(herald_re2_program_size(handle)) }
}

/// Why a pattern does not compile.
public struct GoRegexError: Error, Sendable, Equatable, CustomStringConvertible {
    public let pattern: String
    public let reason: String

    public var description: String { "error parsing regexp: \(reason): `\(pattern)`" }
}

/// The differences between Go's `regexp` syntax and the C++ RE2 that Herald links.
///
/// Both parse the same RE2 grammar, from the same authors; this C++ RE2 (2022-06) differs from Go ≥ 1.22,
/// which current Flux releases are built with, in two places, both handled here before RE2 sees the
/// pattern:
/// - `\C` (any byte) is C++-only: Go rejects it, so Herald does too;
/// - `(?<name>…)` is accepted by Go ≥ 1.22 and not by this RE2: it becomes `(?P<name>…)`, its older
///   spelling, which both accept.
public enum GoRegexSyntax {
    /// `pattern` in the spelling this RE2 reads, or Go's reason for rejecting it.
    public static func translate(_ pattern: String) throws(GoRegexError) -> String {
        var scanner = Scanner(bytes: Array(pattern.utf8))
        while let byte = scanner.next() {
            switch scanner.state {
            case .quoted:
                if byte == backslash, scanner.peek() == UInt8(ascii: "E") { scanner.state = .plain }
            case .inClass(let start):
                if byte == backslash {
                    if scanner.peek() == UInt8(ascii: "C") {
                        throw GoRegexError(pattern: pattern, reason: "invalid escape sequence: `\\C`")
                    }
                    scanner.copyNext()
                } else if byte == UInt8(ascii: "["), scanner.peek() == UInt8(ascii: ":") {
                    scanner.copyPastNamedClass()
                } else if byte == UInt8(ascii: "]"), scanner.index - 1 > start {
                    scanner.state = .plain
                }
            case .plain:
                try plain(byte, &scanner, pattern: pattern)
            }
        }
        return String(decoding: scanner.output, as: UTF8.self)
    }

    private static let backslash = UInt8(ascii: "\\")

    private static func plain(_ byte: UInt8, _ scanner: inout Scanner, pattern: String) throws(GoRegexError) {
        switch byte {
        case backslash:
            switch scanner.peek() {
            case UInt8(ascii: "C"): throw GoRegexError(pattern: pattern, reason: "invalid escape sequence: `\\C`")
            case UInt8(ascii: "Q"): scanner.state = .quoted
            default: break
            }
            scanner.copyNext()
        case UInt8(ascii: "["):
            // A `]` right after `[` or `[^` is a literal member, not the end of the class.
            if scanner.peek() == UInt8(ascii: "^") { scanner.copyNext() }
            scanner.state = .inClass(start: scanner.index)
        case UInt8(ascii: "("):
            if scanner.peek() == UInt8(ascii: "?"), scanner.peek(1) == UInt8(ascii: "<"), let first = scanner.peek(2), isWord(first) {
                scanner.copyNext()
                scanner.output.append(UInt8(ascii: "P"))
            }
        default: break
        }
    }

    private static func isWord(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
    }

    /// A byte-wise copy of the pattern that knows whether it is inside a class or a `\Q…\E` quote.
    private struct Scanner {
        enum State { case plain, quoted, inClass(start: Int) }

        let bytes: [UInt8]
        var index = 0
        var output: [UInt8] = []
        var state = State.plain

        init(bytes: [UInt8]) {
            self.bytes = bytes
            output.reserveCapacity(bytes.count + 4)
        }

        /// The next byte, copied to the output.
        mutating func next() -> UInt8? {
            guard index < bytes.count else { return nil }
            defer { index += 1 }
            output.append(bytes[index])
            return bytes[index]
        }

        func peek(_ ahead: Int = 0) -> UInt8? { index + ahead < bytes.count ? bytes[index + ahead] : nil }

        mutating func copyNext() { _ = next() }

        /// After `[` of `[:name:]`: copies up to and including `:]`, so its `]` does not end the class.
        mutating func copyPastNamedClass() {
            while let byte = next() {
                if byte == UInt8(ascii: ":"), peek() == UInt8(ascii: "]") {
                    copyNext()
                    return
                }
            }
        }
    }
}
