import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Buffered, thread-safe writes to standard output or standard error.
///
/// Dry-run output can be hundreds of thousands of lines; one `write(2)` per 64 KiB keeps it cheap, and
/// `flush()` makes each event's lines visible at once when reading from a pipe.
public final class FileOutput: Sendable {
    public static let standardOutput = FileOutput(descriptor: STDOUT_FILENO)
    public static let standardError = FileOutput(descriptor: STDERR_FILENO, bufferLimit: 0)

    private let descriptor: Int32
    private let bufferLimit: Int
    private let buffer = Mutex<[UInt8]>([])

    init(descriptor: Int32, bufferLimit: Int = 64 << 10) {
        self.descriptor = descriptor
        self.bufferLimit = bufferLimit
    }

    /// Buffers `text`, writing once the buffer is full.
    public func write(_ text: String) {
        buffer.withLock { buffer in
            buffer.append(contentsOf: text.utf8)
            if buffer.count >= bufferLimit { drain(&buffer) }
        }
    }

    /// Writes what is buffered.
    public func flush() {
        buffer.withLock { drain(&$0) }
    }

    private func drain(_ buffer: inout [UInt8]) {
        var offset = 0
        while offset < buffer.count {
            let written = buffer[offset...].withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                break
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

private func systemWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, pointer, count)
}
