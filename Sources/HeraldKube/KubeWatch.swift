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
                let lines = chunk.withUnsafeReadableBytes { splitter.feed($0) }
                for line in lines where !line.isBlank { await handle(Self.decodeWatchLine(line)) }
            }
            if let line = splitter.finish(), !line.isBlank { await handle(Self.decodeWatchLine(line)) }
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

extension LineSplitter.Line {
    /// A blank line between watch events carries nothing (a server may send one as a keep-alive).
    fileprivate var isBlank: Bool {
        if case .bytes(let bytes) = self { return LineSplitter.isBlank(bytes) }
        return false
    }
}
