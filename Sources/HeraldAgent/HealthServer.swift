import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// `/healthz` (the process serves) and `/readyz` (the watches have synced) on a small NIOHTTP1 server.
///
/// A plain channel handler rather than a web framework: three fixed answers do not justify the
/// binary size and idle memory a framework costs (DESIGN.md).
public final class HealthServer: Service, Sendable {
    private let host: String
    private let port: Int
    private let isReady: @Sendable () -> Bool
    private let logger: Logger
    private let bound = Mutex<Int?>(nil)

    /// `address` is `[host]:port`; an empty host listens on every interface.
    public init(address: String, isReady: @escaping @Sendable () -> Bool, logger: Logger) throws {
        guard let (host, port) = Self.parse(address) else { throw HealthServerError.invalidAddress(address) }
        self.host = host
        self.port = port
        self.isReady = isReady
        self.logger = logger
    }

    /// The port actually bound (useful with port 0), once `run()` has started listening.
    public var boundPort: Int? { bound.withLock { $0 } }

    public static func parse(_ address: String) -> (String, Int)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port)
        else { return nil }
        let host = String(address[..<colon])
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    public func run() async throws {
        let isReady = self.isReady
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(HealthHandler(isReady: isReady))
                }
            }
            .bind(host: host, port: port).get()
        bound.withLock { $0 = channel.localAddress?.port }
        logger.info("health probes listening", metadata: ["address": "\(host):\(channel.localAddress?.port ?? port)"])
        try? await gracefulShutdown()
        try? await channel.close()
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

private final class HealthHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let isReady: @Sendable () -> Bool

    init(isReady: @escaping @Sendable () -> Bool) { self.isReady = isReady }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let request) = unwrapInboundIn(data) else { return }
        let path = request.uri.split(separator: "?").first.map(String.init) ?? request.uri
        let (status, text): (HTTPResponseStatus, String)
        switch path {
        case "/healthz", "/livez": (status, text) = (.ok, "ok\n")
        case "/readyz": (status, text) = isReady() ? (.ok, "ok\n") : (.serviceUnavailable, "not ready: watches have not synced\n")
        default: (status, text) = (.notFound, "not found\n")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(text.utf8.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
