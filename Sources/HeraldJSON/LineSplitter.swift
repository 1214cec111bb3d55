/// Splits a byte stream into newline-terminated lines (JSON lines), bounding how much one line may hold.
///
/// One splitter serves both streams Herald reads line by line: a watch body (HeraldKube) and a replay
/// file or standard input (HeraldAgent). A line longer than `maximum` is reported by its size and its
/// bytes are dropped as they arrive, so hostile input cannot grow memory. Blank lines are reported as
/// they are (a file's line numbers count them); callers skip them.
public struct LineSplitter: Sendable {
    public enum Line: Sendable, Hashable {
        /// The line without its `\n`.
        case bytes([UInt8])
        /// A line over the maximum: its length, its bytes dropped.
        case oversized(Int)
    }

    public let maximum: Int
    private var pending: [UInt8] = []
    /// Bytes dropped so far of the current, oversized line; 0 while the line fits.
    private var discarded = 0

    /// `maximum`: the longest line kept, in bytes.
    public init(maximum: Int) { self.maximum = maximum }

    /// The lines this chunk completes, in order; an incomplete last line waits for the next chunk.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer) -> [Line] {
        var lines: [Line] = []
        let bytes = chunk.bindMemory(to: UInt8.self)
        var start = 0
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let length = pending.count + newline - start
            if discarded > 0 {
                lines.append(.oversized(discarded + newline - start))
            } else if length > maximum {
                lines.append(.oversized(length))
            } else {
                pending.append(contentsOf: bytes[start..<newline])
                lines.append(.bytes(pending))
            }
            discarded = 0
            // Keep a normal line's buffer for the next one; give back one a large line grew.
            pending.removeAll(keepingCapacity: pending.capacity <= 1 << 16)
            start = newline + 1
        }
        let rest = bytes.count - start
        if discarded > 0 || pending.count + rest > maximum {
            discarded += pending.count + rest
            pending = []
        } else {
            pending.append(contentsOf: bytes[start...])
        }
        return lines
    }

    /// `feed(_:)` for an array.
    public mutating func feed(_ chunk: [UInt8]) -> [Line] {
        chunk.withUnsafeBytes { feed($0) }
    }

    /// The last line when the stream ended without a final `\n`, or nil when it ended cleanly.
    public mutating func finish() -> Line? {
        defer {
            pending = []
            discarded = 0
        }
        if discarded > 0 { return .oversized(discarded) }
        return pending.isEmpty ? nil : .bytes(pending)
    }

    /// Whether a line holds nothing but spaces, tabs and carriage returns.
    public static func isBlank(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}
