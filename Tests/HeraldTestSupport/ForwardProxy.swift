import NIOCore
import NIOPosix
import Synchronization

/// An HTTP forward proxy on 127.0.0.1 (ephemeral port) for testing providers' `proxy` settings.
///
/// `CONNECT host:port` opens a tunnel (`HTTP/1.1 200 Connection established`, then bytes are
/// spliced both ways). Absolute-form requests (`POST http://127.0.0.1:1234/hook HTTP/1.1`) are
/// forwarded in origin form with `Connection: close` and the response is relayed back; the client
/// connection closes after it. Every request line and `Proxy-Authorization` value is recorded.
public final class ForwardProxy: Sendable {
    /// The bound TCP port on 127.0.0.1.
    public let port: Int
    private let channel: any Channel
    private let storage: Storage

    /// `http://127.0.0.1:PORT`, the proxy URL to configure in a client.
    public var url: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, channel: any Channel, storage: Storage) {
        self.port = port
        self.channel = channel
        self.storage = storage
    }

    /// Binds 127.0.0.1:0 and starts proxying. With `requiredAuthorization` (the whole header value,
    /// e.g. `Basic dXNlcjpwYXNz`), a request whose `Proxy-Authorization` differs gets `407`.
    /// `hosts` maps names to loopback ports (the proxy's own /etc/hosts), so a test can send to a name
    /// that is not loopback, as a proxied request must; every other name is refused without a lookup.
    public static func start(requiredAuthorization: String? = nil, hosts: [String: Int] = [:]) async throws -> ForwardProxy {
        let storage = Storage(hosts: hosts)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                storage.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ForwardProxyHandler(storage: storage, requiredAuthorization: requiredAuthorization)
                    )
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else {
            channel.close(promise: nil)
            throw TestSupportError.noLocalPort(server: "ForwardProxy")
        }
        return ForwardProxy(port: port, channel: channel, storage: storage)
    }

    /// Every request line received, in order, e.g. `CONNECT localhost:4443 HTTP/1.1`.
    public var requestLines: [String] {
        get async { storage.requestLines }
    }

    /// Every `Proxy-Authorization` value received, in order (requests without one add nothing).
    public var proxyAuthorizations: [String] {
        get async { storage.proxyAuthorizations }
    }

    /// Stops listening and closes every open connection and tunnel. Idempotent.
    public func shutdown() async throws {
        let connections = storage.beginShutdown()
        channel.close(promise: nil)
        try await channel.closeFuture.get()
        for connection in connections {
            connection.close(promise: nil)
            try await connection.closeFuture.get()
        }
    }
}

extension ForwardProxy {
    /// State shared between the proxy and its connection handlers (which run on event loops).
    final class Storage: Sendable {
        private struct State {
            var requestLines: [String] = []
            var proxyAuthorizations: [String] = []
        }

        private let state = Mutex(State())
        private let tracker = ConnectionTracker()
        /// Names the proxy resolves, lower-case, to loopback ports.
        let hosts: [String: Int]

        init(hosts: [String: Int]) {
            self.hosts = Dictionary(uniqueKeysWithValues: hosts.map { ($0.key.lowercased(), $0.value) })
        }

        var requestLines: [String] { state.withLock { $0.requestLines } }
        var proxyAuthorizations: [String] { state.withLock { $0.proxyAuthorizations } }

        func record(requestLine: String, proxyAuthorization: String?) {
            state.withLock { state in
                state.requestLines.append(requestLine)
                if let proxyAuthorization {
                    state.proxyAuthorizations.append(proxyAuthorization)
                }
            }
        }

        /// Remembers a client or upstream connection until it closes, so shutdown can close it.
        func track(_ channel: any Channel) { tracker.track(channel) }

        func beginShutdown() -> [any Channel] { tracker.connections(shuttingDown: true) }
    }
}
