import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One line of input, with its 1-based number; `tooLong` lines carry no bytes.
public struct InputLine: Sendable {
    public var number: Int
    public var bytes: [UInt8]
    public var tooLong: Bool
}

/// Why an input cannot be read.
public struct InputError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Reads newline-separated input from a file or standard input as it arrives.
///
/// Blocking `read(2)` calls run on NIO's thread pool, so `herald replay --events -` handles each event
/// as soon as its line is complete, without holding a Swift concurrency thread while stdin is idle.
/// Lines longer than `maximumLineBytes` are reported and skipped, so a hostile input cannot grow memory.
public final class LineReader: Sendable {
    public static let defaultMaximumLineBytes = 4 << 20
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    public let maximumLineBytes: Int

    /// Opens `path`, or standard input for `-`.
    public init(path: String, maximumLineBytes: Int = LineReader.defaultMaximumLineBytes) throws(InputError) {
        self.maximumLineBytes = maximumLineBytes
        if path == "-" {
            descriptor = STDIN_FILENO
            ownsDescriptor = false
        } else {
            let opened = open(path, O_RDONLY | O_CLOEXEC)
            guard opened >= 0 else {
                throw InputError(description: "\(path): cannot open: \(String(cString: strerror(errno)))")
            }
            descriptor = opened
            ownsDescriptor = true
        }
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// Calls `body` for each line, in order, until end of input.
    public func forEachLine(_ body: (InputLine) async throws -> Void) async throws {
        var pending: [UInt8] = []
        var discarding = false
        var number = 0
        let descriptor = self.descriptor
        while true {
            let chunk = try await NIOThreadPool.singleton.runIfActive { () throws -> [UInt8] in
                var buffer = [UInt8](repeating: 0, count: 64 << 10)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                    if count >= 0 {
                        buffer.removeLast(buffer.count - count)
                        return buffer
                    }
                    if errno == EINTR { continue }
                    throw InputError(description: "read failed: \(String(cString: strerror(errno)))")
                }
            }
            if chunk.isEmpty { break }
            var start = chunk.startIndex
            while let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
                number += 1
                if discarding {
                    try await body(InputLine(number: number, bytes: [], tooLong: true))
                    discarding = false
                } else {
                    pending.append(contentsOf: chunk[start..<newline])
                    if pending.count > maximumLineBytes {
                        try await body(InputLine(number: number, bytes: [], tooLong: true))
                    } else {
                        try await body(InputLine(number: number, bytes: pending, tooLong: false))
                    }
                }
                pending.removeAll(keepingCapacity: pending.capacity <= 1 << 16)
                start = chunk.index(after: newline)
            }
            if !discarding {
                pending.append(contentsOf: chunk[start...])
                if pending.count > maximumLineBytes {
                    discarding = true
                    pending = []
                }
            }
        }
        if discarding || !pending.isEmpty {
            number += 1
            try await body(InputLine(number: number, bytes: discarding ? [] : pending, tooLong: discarding))
        }
    }
}
