import AsyncHTTPClient
import HeraldJSON
import NIOCore

/// One line of a watch stream.
public enum WatchItem: Sendable {
    /// A typed line with its object.
    case event(type: WatchEventType, object: JSONValue)
    /// A line that was not a watch event (malformed JSON, oversized); counted and skipped, never fatal.
    case skipped(reason: String)
}

/// Why a watch stream ended other than by the server's timeout.
public enum WatchEnd: Error, Sendable, Hashable, CustomStringConvertible {
    /// No bytes at all, not even bookmarks, for the stall timeout.
    case stalled(Duration)
    case failed(KubeError)

    public var description: String {
        switch self {
        case .stalled(let timeout): "watch stalled: no data for \(timeout)"
        case .failed(let error): error.description
        }
    }
}

extension KubeClient {
    /// Largest watch line accepted; a larger object is skipped (and counted) instead of growing memory.
    public static let maximumWatchLineBytes = 16 << 20

    /// Opens a watch and calls `handle` for every line, incrementally over the chunked body.
    ///
    /// Returns normally when the server ends the stream (its `timeoutSeconds`); throws ``WatchEnd`` when the
    /// request fails or no byte arrives for `stallTimeout`. AsyncHTTPClient's timeout covers only the wait
    /// for the response head of a streamed body, so stall detection is done here.
    public func watch(
        _ path: ResourcePath, resourceVersion: String, timeoutSeconds: Int, allowBookmarks: Bool = true, labelSelector: String? = nil,
        stallTimeout: Duration, handle: @escaping @Sendable (WatchItem) async -> Void
    ) async throws(WatchEnd) {
        var query: [(String, String)] = [("watch", "true"), ("timeoutSeconds", String(timeoutSeconds))]
        if !resourceVersion.isEmpty { query.append(("resourceVersion", resourceVersion)) }
        if allowBookmarks { query.append(("allowWatchBookmarks", "true")) }
        if let labelSelector { query.append(("labelSelector", labelSelector)) }
        let request: HTTPClientRequest
        do {
            request = try prepare(method: .GET, path: path.path, query: query, body: nil, contentType: nil, accept: "application/json")
        } catch {
            throw .failed(error)
        }
        let lastActivity = Locked(ContinuousClock.now)
        let http = self.http
        let outcome: Result<Void, WatchEnd> = await withTaskGroup(of: Result<Void, WatchEnd>?.self) { group in
            group.addTask {
                await Self.readStream(
                    http: http, request: request, path: path, timeoutSeconds: timeoutSeconds, lastActivity: lastActivity, handle: handle)
            }
            group.addTask { await Self.watchForStall(lastActivity: lastActivity, stallTimeout: stallTimeout) }
            var result: Result<Void, WatchEnd> = .success(())
            for await value in group {
                if let value {
                    result = value
                    break
                }
            }
            group.cancelAll()
            return result
        }
        try outcome.get()
    }

    /// Reads the watch body line by line, noting each chunk's arrival; nil when cancelled.
    private static func readStream(
        http: HTTPClient, request: HTTPClientRequest, path: ResourcePath, timeoutSeconds: Int,
        lastActivity: Locked<ContinuousClock.Instant>,
        handle: @escaping @Sendable (WatchItem) async -> Void
    ) async -> Result<Void, WatchEnd>? {
        do {
            let response = try await http.execute(request, timeout: .seconds(Int64(timeoutSeconds) + 60))
            lastActivity.value = .now
            guard response.status.code == 200 else {
                var body = try await response.body.collect(upTo: 1 << 20)
                let bytes = body.readBytes(length: body.readableBytes) ?? []
                return .failure(.failed(KubeClient.statusError(status: Int(response.status.code), headers: response.headers, body: bytes)))
            }
            var splitter = LineSplitter(maximum: KubeClient.maximumWatchLineBytes)
            for try await chunk in response.body {
                lastActivity.value = .now
                for line in splitter.feed(chunk) { await handle(Self.decodeWatchLine(line)) }
            }
            for line in splitter.finish() { await handle(Self.decodeWatchLine(line)) }
            return .success(())
        } catch is CancellationError {
            return nil
        } catch let error as HTTPClientError where error == .cancelled {
            return nil
        } catch {
            return .failure(.failed(.transport("watch \(path): \(error)")))
        }
    }

    /// Fails the watch once no byte has arrived for `stallTimeout`; checks at a quarter of it so a
    /// stall is noticed promptly. Nil when cancelled.
    private static func watchForStall(
        lastActivity: Locked<ContinuousClock.Instant>, stallTimeout: Duration
    ) async -> Result<Void, WatchEnd>? {
        let interval = stallTimeout / 4
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { return nil }
            if lastActivity.value.duration(to: .now) >= stallTimeout { return .failure(.stalled(stallTimeout)) }
        }
        return nil
    }

    static func decodeWatchLine(_ line: LineSplitter.Line) -> WatchItem {
        switch line {
        case .oversized(let size):
            return .skipped(reason: "watch line of \(size) bytes exceeds \(maximumWatchLineBytes)")
        case .bytes(let bytes):
            guard let value = try? JSONParser.parse(bytes) else { return .skipped(reason: "watch line is not JSON") }
            guard let typeName = value["type"]?.stringValue, let object = value["object"], case .object = object else {
                return .skipped(reason: "watch line has no type and object")
            }
            guard let type = WatchEventType(rawValue: typeName) else { return .skipped(reason: "unknown watch event type \(typeName)") }
            return .event(type: type, object: object)
        }
    }
}

/// Splits a byte stream into newline-terminated lines, bounding how much one line may hold.
struct LineSplitter {
    enum Line: Sendable {
        case bytes([UInt8])
        case oversized(Int)
    }

    let maximum: Int
    private var pending: [UInt8] = []
    private var discarded = 0

    init(maximum: Int) { self.maximum = maximum }

    mutating func feed(_ buffer: ByteBuffer) -> [Line] {
        var lines: [Line] = []
        buffer.withUnsafeReadableBytes { raw in
            var start = 0
            let bytes = raw.bindMemory(to: UInt8.self)
            while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
                if discarded > 0 {
                    lines.append(.oversized(discarded + newline - start))
                    discarded = 0
                } else if pending.count + newline - start > maximum {
                    lines.append(.oversized(pending.count + newline - start))
                } else {
                    pending.append(contentsOf: bytes[start..<newline])
                    if !pending.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { lines.append(.bytes(pending)) }
                }
                pending.removeAll(keepingCapacity: true)
                start = newline + 1
            }
            let rest = bytes.count - start
            if discarded > 0 || pending.count + rest > maximum {
                discarded += pending.count + rest
                pending.removeAll()
            } else {
                pending.append(contentsOf: bytes[start...])
            }
        }
        return lines
    }

    mutating func finish() -> [Line] {
        defer {
            pending = []
            discarded = 0
        }
        if discarded > 0 { return [.oversized(discarded)] }
        if pending.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x0A }) { return [] }
        return [.bytes(pending)]
    }
}
