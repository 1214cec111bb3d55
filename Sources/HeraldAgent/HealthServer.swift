import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A tiny HTTP/1.1 server for fixed answers: the health probes and the Prometheus endpoint.
///
/// A plain channel handler rather than a web framework: a few fixed routes do not justify the binary
/// size and idle memory a framework costs (DESIGN.md).
public final class PlainHTTPServer: Service, Sendable {
    /// One answer: status, content type and body.
    public struct Answer: Sendable {
        public var status: HTTPResponseStatus
        public var contentType: String
        public var body: [UInt8]

        public init(status: HTTPResponseStatus, contentType: String = "text/plain; charset=utf-8", body: [UInt8]) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }

        /// A plain-text answer.
        public static func text(_ status: HTTPResponseStatus, _ text: String) -> Answer { Answer(status: status, body: Array(text.utf8)) }
    }

    private let name: String
    private let host: String
    private let port: Int
    private let respond: @Sendable (_ path: String) -> Answer
    private let logger: Logger
    private let bound = Mutex<Int?>(nil)

    /// `address` is `[host]:port`; an empty host listens on every interface.
    public init(name: String, address: String, logger: Logger, respond: @escaping @Sendable (_ path: String) -> Answer) throws {
        guard let (host, port) = Self.parse(address) else { throw HealthServerError.invalidAddress(address) }
        self.name = name
        self.host = host
        self.port = port
        self.respond = respond
        self.logger = logger
    }

    /// The port actually bound (useful with port 0), once `run()` has started listening.
    public var boundPort: Int? { bound.withLock { $0 } }

    /// `host:port` or `:port` (every interface), as Go's listeners take it; nil when malformed.
    public static func parse(_ address: String) -> (String, Int)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port)
        else { return nil }
        let host = String(address[..<colon])
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    /// Listens until graceful shutdown.
    public func run() async throws {
        let respond = self.respond
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(AnswerHandler(respond: respond))
                }
            }
            .bind(host: host, port: port).get()
        bound.withLock { $0 = channel.localAddress?.port }
        logger.info("\(name) listening", metadata: ["address": "\(host):\(channel.localAddress?.port ?? port)"])
        try? await gracefulShutdown()
        try? await channel.close()
    }
}

/// The `/healthz` and `/readyz` probes (readiness: the watches have synced).
public enum HealthServer {
    /// ``PlainHTTPServer/parse(_:)``, for the command line's validation of listen addresses.
    public static func parse(_ address: String) -> (String, Int)? { PlainHTTPServer.parse(address) }

    /// `/healthz` and `/livez` answer 200 while the process serves and its event processor moves (`stall`
    /// says for how long one event has held it, once that is too long); `/readyz` asks `isReady`.
    public static func make(
        address: String, isReady: @escaping @Sendable () -> Bool, stall: @escaping @Sendable () -> Duration? = { nil }, logger: Logger
    ) throws -> PlainHTTPServer {
        try PlainHTTPServer(name: "health probes", address: address, logger: logger) { path in
            switch path {
            case "/healthz", "/livez":
                stall().map { .text(.serviceUnavailable, "unhealthy: one event has held the event processor for \($0)\n") }
                    ?? .text(.ok, "ok\n")
            case "/readyz": isReady() ? .text(.ok, "ok\n") : .text(.serviceUnavailable, "not ready: watches have not synced\n")
            default: .text(.notFound, "not found\n")
            }
        }
    }
}

/// `/metrics` in the Prometheus text format.
public enum MetricsServer {
    /// `refresh` runs before each scrape, to read gauges whose state lives elsewhere (queue depths, leadership).
    public static func make(
        address: String, metrics: HeraldMetrics, refresh: @escaping @Sendable () -> Void, logger: Logger
    ) throws
        -> PlainHTTPServer
    {
        try PlainHTTPServer(name: "metrics", address: address, logger: logger) { path in
            guard path == "/metrics" else { return .text(.notFound, "not found\n") }
            refresh()
            return PlainHTTPServer.Answer(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics.exposition())
        }
    }
}

public enum HealthServerError: Error, CustomStringConvertible {
    case invalidAddress(String)

    public var description: String {
        switch self {
        case .invalidAddress(let address): "invalid listen address \"\(address)\": expected [host]:port"
        }
    }
}

private final class AnswerHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let respond: @Sendable (String) -> PlainHTTPServer.Answer

    init(respond: @escaping @Sendable (String) -> PlainHTTPServer.Answer) { self.respond = respond }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let request) = unwrapInboundIn(data) else { return }
        let path = request.uri.split(separator: "?").first.map(String.init) ?? request.uri
        let answer = respond(path)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: answer.contentType)
        headers.add(name: "Content-Length", value: String(answer.body.count))
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: answer.status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: answer.body)))), promise: nil)
        if request.isKeepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            // HTTP/1.0 or `Connection: close`: the client reads until the connection closes.
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
