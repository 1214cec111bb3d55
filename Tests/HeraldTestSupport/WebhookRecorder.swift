import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// An HTTP/1.1 server on 127.0.0.1 (ephemeral port) that records every request and answers from
/// scripted responses; tests point providers at it instead of a real webhook.
///
/// Keep-alive and pipelined requests are supported; each request is recorded once its body is
/// complete. With `TestTLS` it serves HTTPS (and optionally requires a client certificate).
public final class WebhookRecorder: Sendable {
    /// The bound TCP port on 127.0.0.1.
    public let port: Int
    /// Whether the server speaks TLS.
    public let usesTLS: Bool
    private let channel: any Channel
    private let storage: Storage

    /// `http://127.0.0.1:PORT`, or `https://localhost:PORT` with TLS (the test certificate is for
    /// `localhost` and `127.0.0.1`).
    public var baseURL: String {
        usesTLS ? "https://localhost:\(port)" : "http://127.0.0.1:\(port)"
    }

    private init(port: Int, usesTLS: Bool, channel: any Channel, storage: Storage) {
        self.port = port
        self.usesTLS = usesTLS
        self.channel = channel
        self.storage = storage
    }

    /// Binds 127.0.0.1:0 and starts serving; with `tls`, serves HTTPS with `tls`'s server
    /// certificate and verifies client certificates against its CA.
    public static func start(tls: TestTLS? = nil) async throws -> WebhookRecorder {
        let sslContext = try tls?.makeServerContext()
        let storage = Storage()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                storage.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let sslContext {
                        try pipeline.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    try pipeline.addHandler(WebhookRecorderHandler(storage: storage))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else {
            channel.close(promise: nil)
            throw TestSupportError.noLocalPort(server: "WebhookRecorder")
        }
        return WebhookRecorder(port: port, usesTLS: tls != nil, channel: channel, storage: storage)
    }

    /// Scripts the answers for requests matching `method` (case-insensitive) and `path` (exact; a
    /// path containing `?` is compared with the whole request target); nil matches anything.
    ///
    /// Matchers are tried in the order they were first added; a request takes the next response of
    /// the first matching queue, and a queue's last response keeps answering. Scripting the same
    /// matcher again replaces its queue; an empty list removes it. Unmatched requests get 200 with
    /// an empty body.
    public func respond(path: String? = nil, method: String? = nil, with responses: [ScriptedResponse]) {
        storage.script(method: method?.uppercased(), path: path, responses: responses)
    }

    /// Every request recorded so far, in arrival order.
    public func requests() async -> [RecordedRequest] {
        storage.recorded
    }

    /// Waits until at least `count` requests have been recorded and returns all recorded so far;
    /// throws `TestSupportError.requestsNotReceived` after `timeout`.
    public func waitForRequests(count: Int, timeout: Duration = .seconds(10)) async throws -> [RecordedRequest] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let recorded = storage.recorded
            if recorded.count >= count {
                return recorded
            }
            if clock.now >= deadline {
                throw TestSupportError.requestsNotReceived(expected: count, received: recorded.count, timeout: timeout)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Stops listening and closes every open connection, including hanging ones. Idempotent.
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

extension WebhookRecorder {
    /// State shared between the recorder and its connection handlers (which run on event loops).
    final class Storage: Sendable {
        private struct Script {
            var method: String?
            var path: String?
            var responses: [ScriptedResponse]
        }

        private struct State {
            var requests: [RecordedRequest] = []
            var scripts: [Script] = []
        }

        private let state = Mutex(State())
        private let tracker = ConnectionTracker()

        var recorded: [RecordedRequest] {
            state.withLock { $0.requests }
        }

        func script(method: String?, path: String?, responses: [ScriptedResponse]) {
            state.withLock { state in
                let index = state.scripts.firstIndex { $0.method == method && $0.path == path }
                switch (index, responses.isEmpty) {
                case (let index?, true):
                    state.scripts.remove(at: index)
                case (let index?, false):
                    state.scripts[index].responses = responses
                case (nil, false):
                    state.scripts.append(Script(method: method, path: path, responses: responses))
                case (nil, true):
                    break
                }
            }
        }

        /// Records `request` and returns the response to give it.
        func record(_ request: RecordedRequest) -> ScriptedResponse {
            state.withLock { state in
                state.requests.append(request)
                let matching = state.scripts.firstIndex { script in
                    if let method = script.method, method != request.method.uppercased() { return false }
                    if let path = script.path, path != (path.contains("?") ? request.uri : request.path) {
                        return false
                    }
                    return true
                }
                guard let index = matching, let next = state.scripts[index].responses.first else {
                    return .ok
                }
                if state.scripts[index].responses.count > 1 {
                    state.scripts[index].responses.removeFirst()
                }
                return next
            }
        }

        /// Remembers an accepted connection until it closes, so shutdown can close it.
        func track(_ channel: any Channel) { tracker.track(channel) }

        func beginShutdown() -> [any Channel] { tracker.connections(shuttingDown: true) }
    }
}
