import HeraldJSON
import NIOCore
import NIOHTTP1
import Synchronization

/// One open watch response: a queue of chunks (head, event lines, end) written in order on the
/// connection's event loop.
///
/// The store enqueues under its own lock, so events reach every watch in commit order; writes hop
/// to the event loop. While stalled, chunks only queue up (a hung apiserver, as seen by a client).
final class FakeKubeWatch: Sendable {
    /// What a watch request asked for.
    struct Spec: Sendable {
        var type: FakeResourceType
        var version: String
        /// nil for a cluster-wide watch (or a cluster-scoped type).
        var namespace: String?
        var labels: FakeKubeSelector
        var fields: FakeKubeSelector
        /// The `resourceVersion` parameter as sent (nil when absent).
        var resourceVersion: String?
        var allowBookmarks: Bool
        /// The `sendInitialEvents` parameter (nil when absent).
        var sendInitialEvents: Bool?
        var timeoutSeconds: Int?
        /// Objects are sent as `PartialObjectMetadata`.
        var metadataOnly: Bool

        var apiVersion: String { type.apiVersion(version) }

        /// Whether `object` is in this watch's view (namespace, label and field selectors).
        func matches(_ object: JSONValue) -> Bool {
            if let namespace, FakeKubeObjects.metadataString(object, "namespace") != namespace { return false }
            return labels.matches(object) && fields.matches(object)
        }

        /// The event line this watch sends for a committed change, or nil when it is outside the
        /// view. Like the apiserver's watch cache, a change that moves an object into the view is
        /// ADDED and one that moves it out is DELETED (carrying the previous state at the new RV).
        func line(for entry: FakeKubeStore.LogEntry, format: FakeResourceVersionFormat) -> [UInt8]? {
            guard entry.typeKey == FakeKubeStore.TypeKey(type) else { return nil }
            let isIn = matches(entry.object)
            let wasIn = entry.previous.map(matches) ?? false
            switch (entry.kind, isIn, wasIn) {
            case (.added, true, _): return line("ADDED", entry.object)
            case (.modified, true, true): return line("MODIFIED", entry.object)
            case (.modified, true, false): return line("ADDED", entry.object)
            case (.modified, false, true):
                let previous = entry.previous.map { previous in
                    FakeKubeObjects.updatingMetadata(previous) { $0["resourceVersion"] = .string(format.string(entry.resourceVersion)) }
                }
                return line("DELETED", previous ?? entry.object)
            case (.deleted, true, _): return line("DELETED", entry.object)
            default: return nil
            }
        }

        /// An event line for `object` as this watch serves it (version, metadata-only).
        func line(_ type: String, _ object: JSONValue) -> [UInt8] {
            let rendered = FakeKubeObjects.rendered(object, type: self.type, version: version)
            return FakeKubeObjects.watchEventLine(
                type: type, object: metadataOnly ? FakeKubeObjects.partialMetadata(rendered) : rendered)
        }

        /// A BOOKMARK line at `resourceVersion`.
        func bookmarkLine(resourceVersion: String, annotations: JSONValue? = nil) -> [UInt8] {
            let kind = metadataOnly ? "PartialObjectMetadata" : type.kind
            let apiVersion = metadataOnly ? "meta.k8s.io/v1" : self.apiVersion
            return FakeKubeObjects.watchEventLine(
                type: "BOOKMARK",
                object: FakeKubeObjects.bookmark(
                    kind: kind, apiVersion: apiVersion, resourceVersion: resourceVersion, annotations: annotations))
        }
    }

    /// A chunk of the response, in write order.
    enum Item: Sendable {
        case head(HTTPResponseHead)
        case line([UInt8])
        /// The terminating chunk: the stream ends cleanly.
        case end
    }

    private struct Queue {
        var items: [Item] = []
        var stalled: Bool
        var flushScheduled = false
        var finished = false
    }

    let id: Int
    let spec: Spec
    private let channel: any Channel
    private let keepAlive: Bool
    private let queue: Mutex<Queue>

    init(id: Int, spec: Spec, channel: any Channel, keepAlive: Bool, stalled: Bool) {
        self.id = id
        self.spec = spec
        self.channel = channel
        self.keepAlive = keepAlive
        self.queue = Mutex(Queue(stalled: stalled))
    }

    /// Appends chunks; they are written soon on the event loop unless the watch is stalled.
    func enqueue(_ items: [Item]) {
        let schedule = queue.withLock { queue in
            guard !queue.finished else { return false }
            queue.items.append(contentsOf: items)
            guard !queue.stalled, !queue.flushScheduled else { return false }
            queue.flushScheduled = true
            return true
        }
        if schedule { channel.eventLoop.execute { self.flush() } }
    }

    /// Holds back (true) or releases (false) every queued and future chunk.
    func setStalled(_ stalled: Bool) {
        let schedule = queue.withLock { queue in
            queue.stalled = stalled
            guard !stalled, !queue.finished, !queue.items.isEmpty, !queue.flushScheduled else { return false }
            queue.flushScheduled = true
            return true
        }
        if schedule { channel.eventLoop.execute { self.flush() } }
    }

    /// Stops writing; the connection is gone or being dropped.
    func finish() {
        queue.withLock { queue in
            queue.finished = true
            queue.items = []
        }
    }

    /// Closes the connection mid-stream, without the terminating chunk.
    func drop() {
        finish()
        channel.close(promise: nil)
    }

    private func flush() {
        let items = queue.withLock { queue -> [Item] in
            queue.flushScheduled = false
            guard !queue.stalled, !queue.finished else { return [] }
            defer { queue.items = [] }
            if queue.items.contains(where: { if case .end = $0 { true } else { false } }) { queue.finished = true }
            return queue.items
        }
        guard !items.isEmpty else { return }
        for item in items {
            switch item {
            case .head(let head):
                channel.write(HTTPServerResponsePart.head(head), promise: nil)
            case .line(let bytes):
                channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: bytes))), promise: nil)
            case .end:
                let written = channel.writeAndFlush(HTTPServerResponsePart.end(nil))
                if !keepAlive {
                    let channel = self.channel
                    written.whenComplete { _ in channel.close(promise: nil) }
                }
                return
            }
        }
        channel.flush()
    }
}
