import HeraldJSON
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

    init(number: Int, _ line: LineSplitter.Line) {
        self.number = number
        switch line {
        case .bytes(let bytes): (self.bytes, tooLong) = (bytes, false)
        case .oversized: (bytes, tooLong) = ([], true)
        }
    }
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
        var splitter = LineSplitter(maximum: maximumLineBytes)
        var number = 0
        while true {
            let chunk = try await readChunk()
            if chunk.isEmpty { break }
            for line in splitter.feed(chunk) {
                number += 1
                try await body(InputLine(number: number, line))
            }
        }
        if let line = splitter.finish() {
            number += 1
            try await body(InputLine(number: number, line))
        }
    }

    /// Up to 64 KiB, as soon as any is available; empty at end of input.
    private func readChunk() async throws -> [UInt8] {
        let descriptor = self.descriptor
        return try await NIOThreadPool.singleton.runIfActive { () throws -> [UInt8] in
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
    }
}
