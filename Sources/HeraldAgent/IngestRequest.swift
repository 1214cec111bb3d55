import NIOCore
import NIOHTTP1

/// One request to the event endpoint while its body arrives: the body is kept only while it fits both
/// the per-request limit and the budget shared by all connections; past either, it is dropped and the
/// request is answered with the refusal once it ends. A class so that its share of the budget goes back
/// however the request ends, answered or cut off with its connection.
final class IngestRequest {
    enum Refusal { case tooLarge, busy }

    let head: HTTPRequestHead
    private let connections: IngestConnections
    private(set) var body = ByteBuffer()
    private(set) var refusal: Refusal?
    /// Bytes taken from the shared budget, given back by ``release()``.
    private var reserved = 0

    init(head: HTTPRequestHead, connections: IngestConnections) {
        self.head = head
        self.connections = connections
        // A declared length beyond the limit is refused before a byte of the body is held.
        if let declared = head.headers.first(name: "Content-Length").flatMap(Int.init), declared > connections.limits.maximumBodyBytes {
            refusal = .tooLarge
        }
    }

    func append(_ chunk: ByteBuffer) {
        guard refusal == nil else { return }
        guard body.readableBytes + chunk.readableBytes <= connections.limits.maximumBodyBytes else {
            refuse(.tooLarge)
            return
        }
        guard connections.reserveBody(chunk.readableBytes) else {
            refuse(.busy)
            return
        }
        reserved += chunk.readableBytes
        body.writeImmutableBuffer(chunk)
    }

    private func refuse(_ reason: Refusal) {
        refusal = reason
        body = ByteBuffer()
        release()
    }

    private func release() {
        connections.releaseBody(reserved)
        reserved = 0
    }

    deinit { release() }
}
