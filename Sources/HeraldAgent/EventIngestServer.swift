import HeraldCore
import HeraldJSON
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The Flux-compatible event endpoint (`--events-addr`): the controllers' `--events-addr` POSTs land here.
///
/// Exactly notification-controller's contract (reference §3.1, §7.2): any path and method, body up to
/// 3 MiB (413 beyond), 400 for a body that is not a Flux event, 429 with `X-RateLimit-*` and `Retry-After`
/// for a duplicate within the rate-limit window, otherwise 202 with an empty body. Events go through the
/// same pipeline as the Event watch, so an occurrence that arrives both ways is sent once.
///
/// Anyone who reaches the port can send, so every input is bounded (``IngestLimits``): timeouts for slow
/// headers, bodies and idle connections, a connection cap, a body budget shared by all connections (503
/// beyond it), and a bound on the JSON values one body holds, so memory does not follow a body's shape.
public final class EventIngestServer: EventInput {
    /// Largest body accepted: 3 MiB, exactly as notification-controller.
    public static let maximumBodyBytes = IngestLimits().maximumBodyBytes

    private let host: String
    private let port: Int
    private let isActive: @Sendable () -> Bool
    private let logger: Logger
    private let connections: IngestConnections
    private let bound = Mutex<Int?>(nil)

    /// `isActive` is false on a standby replica: it answers 503 so the controllers' retrying client tries again.
    public init(
        address: String, limits: IngestLimits = IngestLimits(), isActive: @escaping @Sendable () -> Bool = { true }, logger: Logger
    ) throws {
        guard let (host, port) = PlainHTTPServer.parse(address) else { throw HealthServerError.invalidAddress(address) }
        self.host = host
        self.port = port
        self.isActive = isActive
        self.logger = logger
        self.connections = IngestConnections(limits: limits)
    }

    /// The port actually bound, once listening.
    public var boundPort: Int? { bound.withLock { $0 } }

    /// Connections open now (for tests and the connection cap's metrics).
    public var openConnections: Int { connections.count }

    /// Body bytes held now across every connection, within ``IngestLimits/bufferedBodyBytes``.
    public var bufferedBodyBytes: Int { connections.bufferedBodyBytes }

    public var origin: InputOrigin { .ingest }

    /// Listens and answers until graceful shutdown or cancellation.
    public func feed(_ processor: EventProcessor) async throws {
        let connections = self.connections
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    // SwiftNIO's decoder bounds the request line and headers (80 KiB) and answers 400 beyond.
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(IngestConnectionGuard(connections: connections))
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        bound.withLock { $0 = server.channel.localAddress?.port }
        logger.info("event ingest listening", metadata: ["address": "\(host):\(server.channel.localAddress?.port ?? port)"])
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingDiscardingTaskGroup { group in
                    try await server.executeThenClose { connections in
                        for try await connection in connections {
                            group.addTask { await self.serve(connection, processor: processor) }
                        }
                    }
                }
            }
        } catch  where Task.isShuttingDownGracefully || Task.isCancelled {
            // Shutdown cancels the accept loop; that is the normal way out, not a failure.
            logger.debug("event ingest stopped")
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, processor: EventProcessor) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var request: IngestRequest?
                for try await part in inbound {
                    switch part {
                    case .head(let head):
                        let next = IngestRequest(head: head, connections: connections)
                        if next.refusal == .tooLarge {
                            // Declared too large: answered at once, and the body is not read.
                            try await write(
                                await respond(to: next, processor: processor), version: head.version, keepAlive: false, to: outbound)
                            return
                        }
                        request = next
                    case .body(let chunk):
                        request?.append(chunk)
                    case .end:
                        guard let current = request else { continue }
                        request = nil
                        let response = await respond(to: current, processor: processor)
                        let keepAlive = current.head.isKeepAlive && current.refusal == nil
                        try await write(response, version: current.head.version, keepAlive: keepAlive, to: outbound)
                        if !keepAlive { return }
                    }
                }
            }
        } catch {
            logger.debug("event ingest connection ended", metadata: ["error": "\(error)"])
        }
    }

    private func respond(to request: IngestRequest, processor: EventProcessor) async -> Response {
        switch request.refusal {
        case .tooLarge: return Response(status: .payloadTooLarge, text: "http: request body too large\n")
        case .busy:
            return Response(status: .serviceUnavailable, headers: [("Retry-After", "1")], text: "too many requests in progress; retry\n")
        case nil: return await handle(request.body, processor: processor)
        }
    }

    private func write(
        _ response: Response, version: HTTPVersion, keepAlive: Bool,
        to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        var headers = HTTPHeaders(response.headers)
        headers.add(name: "Content-Length", value: String(response.text.utf8.count))
        if !response.text.isEmpty { headers.add(name: "Content-Type", value: "text/plain; charset=utf-8") }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        try await outbound.write(.head(HTTPResponseHead(version: version, status: response.status, headers: headers)))
        if !response.text.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(string: response.text)))) }
        try await outbound.write(.end(nil))
    }

    struct Response {
        var status: HTTPResponseStatus
        var headers: [(String, String)] = []
        var text: String = ""
    }

    private func handle(_ body: ByteBuffer, processor: EventProcessor) async -> Response {
        guard isActive() else {
            return Response(status: .serviceUnavailable, headers: [("Retry-After", "1")], text: "not the leader; retry\n")
        }
        let decoded: DecodedEvent
        do {
            let maximumValues = connections.limits.maximumValues
            let value = try body.withUnsafeReadableBytes { raw in
                try JSONParser.parse(
                    UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: raw.count),
                    maximumValues: maximumValues)
            }
            guard case .object(let object) = value else { throw EventDecodingError("expected a JSON object") }
            decoded = try EventDecoder.decodeFlux(object)
        } catch {
            logger.debug("event ingest: invalid body", metadata: ["error": "\(error)"])
            return Response(status: .badRequest, text: "invalid event: \(error)\n")
        }
        let (disposition, windowEnd) = await processor.processReporting(decoded, origin: origin)
        var headers: [(String, String)] = []
        if let windowEnd {
            let reset = FluxTimestamp(secondsSinceEpoch: windowEnd).rfc1123
            headers = [("X-RateLimit-Limit", "1"), ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", reset)]
            if disposition == .rateLimited {
                headers.append(("Retry-After", reset))
                return Response(status: .tooManyRequests, headers: headers, text: "Too Many Requests\n")
            }
        }
        return Response(status: .accepted, headers: headers)
    }
}
