import NIOCore
import NIOPosix

/// The client side of one proxy connection: reads the request head, answers `CONNECT` with a
/// tunnel and absolute-form requests by forwarding them, then relays bytes to the upstream.
final class ForwardProxyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case readingHead(ByteBuffer)
        case connecting(pending: [ByteBuffer])
        case relaying(upstream: any Channel, lastWrite: EventLoopFuture<Void>?)
        case finished
    }

    private struct Head {
        var requestLine: String
        var method: String
        var target: String
        var version: String
        var headers: [(name: String, value: String)]

        func value(of name: String) -> String? {
            headers.first { $0.name.lowercased() == name }?.value
        }
    }

    private static let maximumHeadLength = 64 * 1024
    private static let hopByHopHeaders: Set<String> = ["connection", "keep-alive", "proxy-authorization", "proxy-connection"]

    private let storage: ForwardProxy.Storage
    private let requiredAuthorization: String?
    private var state = State.readingHead(ByteBuffer())

    init(storage: ForwardProxy.Storage, requiredAuthorization: String?) {
        self.storage = storage
        self.requiredAuthorization = requiredAuthorization
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        switch state {
        case .readingHead(var buffer):
            buffer.writeBuffer(&bytes)
            state = .readingHead(buffer)
            readHead(context: context)
        case .connecting(var pending):
            pending.append(bytes)
            state = .connecting(pending: pending)
        case .relaying(let upstream, _):
            state = .relaying(upstream: upstream, lastWrite: upstream.writeAndFlush(bytes))
        case .finished:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .relaying(let upstream, let lastWrite) = state {
            Self.close(upstream, after: lastWrite)
        }
        state = .finished
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Closes `channel` once `lastWrite` (the last write queued on it) has completed.
    static func close(_ channel: any Channel, after lastWrite: EventLoopFuture<Void>?) {
        guard let lastWrite else {
            channel.close(promise: nil)
            return
        }
        lastWrite.whenComplete { _ in channel.close(promise: nil) }
    }

    private func readHead(context: ChannelHandlerContext) {
        guard case .readingHead(var buffer) = state else { return }
        let bytes = Array(buffer.readableBytesView)
        guard let end = Self.endOfHead(in: bytes) else {
            if bytes.count > Self.maximumHeadLength {
                reply("431 Request Header Fields Too Large", message: "request head over 64 KiB", context: context)
            }
            return
        }
        buffer.moveReaderIndex(forwardBy: end + 4)
        let rest = buffer
        guard let head = Self.parseHead(bytes[..<end]) else {
            reply("400 Bad Request", message: "malformed request head", context: context)
            return
        }
        let authorization = head.value(of: "proxy-authorization")
        storage.record(requestLine: head.requestLine, proxyAuthorization: authorization)
        if let requiredAuthorization, authorization != requiredAuthorization {
            reply(
                "407 Proxy Authentication Required",
                headers: [("Proxy-Authenticate", "Basic realm=\"herald-test-proxy\"")],
                message: "proxy authorization required",
                context: context
            )
            return
        }
        if head.method == "CONNECT" {
            guard let (host, port) = Self.hostAndPort(head.target, defaultPort: 443) else {
                reply("400 Bad Request", message: "CONNECT target must be host:port", context: context)
                return
            }
            open(host: host, port: port, first: rest, answerTunnel: true, context: context)
            return
        }
        guard let (authority, originForm) = Self.splitAbsoluteHTTP(head.target),
            let (host, port) = Self.hostAndPort(authority, defaultPort: 80)
        else {
            reply("400 Bad Request", message: "expected CONNECT or an absolute http:// request target", context: context)
            return
        }
        var forwarded = "\(head.method) \(originForm) \(head.version)\r\n"
        for (name, value) in head.headers where !Self.hopByHopHeaders.contains(name.lowercased()) {
            forwarded += "\(name): \(value)\r\n"
        }
        if head.value(of: "host") == nil {
            forwarded += "Host: \(authority)\r\n"
        }
        forwarded += "Connection: close\r\n\r\n"
        var first = ByteBuffer(string: forwarded)
        var body = rest
        first.writeBuffer(&body)
        open(host: host, port: port, first: first, answerTunnel: false, context: context)
    }

    private func open(
        host requestedHost: String, port requestedPort: Int, first: ByteBuffer, answerTunnel: Bool, context: ChannelHandlerContext
    ) {
        // Tests never leave the machine: a name the test mapped goes to its loopback port, a loopback
        // address goes where it says, anything else is refused without a DNS lookup or a connect.
        let host: String
        let port: Int
        if let mapped = storage.hosts[requestedHost.lowercased()] {
            (host, port) = ("127.0.0.1", mapped)
        } else if ["127.0.0.1", "localhost", "::1"].contains(requestedHost) {
            (host, port) = (requestedHost, requestedPort)
        } else {
            reply("502 Bad Gateway", message: "the test proxy reaches loopback only, not \(requestedHost)", context: context)
            return
        }
        state = .connecting(pending: [first])
        let client = context.channel
        let storage = self.storage
        ClientBootstrap(group: context.eventLoop)
            .connectTimeout(.seconds(5))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { upstream in
                storage.track(upstream)
                return upstream.eventLoop.makeCompletedFuture {
                    try upstream.pipeline.syncOperations.addHandler(ForwardProxyRelayHandler(peer: client))
                }
            }
            .connect(host: host, port: port)
            .assumeIsolated()
            .whenComplete { result in
                switch (result, self.state) {
                case (.success(let upstream), .connecting(let pending)):
                    if answerTunnel {
                        let established = ByteBuffer(string: "HTTP/1.1 200 Connection established\r\n\r\n")
                        context.writeAndFlush(self.wrapOutboundOut(established), promise: nil)
                    }
                    var lastWrite: EventLoopFuture<Void>?
                    for bytes in pending where bytes.readableBytes > 0 {
                        lastWrite = upstream.writeAndFlush(bytes)
                    }
                    self.state = .relaying(upstream: upstream, lastWrite: lastWrite)
                case (.success(let upstream), _):
                    upstream.close(promise: nil)
                case (.failure(let error), .connecting):
                    self.reply("502 Bad Gateway", message: "cannot connect to \(host):\(port): \(error)", context: context)
                case (.failure, _):
                    break
                }
            }
    }

    /// Answers from the proxy itself, then half-closes so the client reads the answer before EOF.
    private func reply(
        _ status: String,
        headers: [(String, String)] = [],
        message: String,
        context: ChannelHandlerContext
    ) {
        state = .finished
        var text = "HTTP/1.1 \(status)\r\n"
        for (name, value) in headers {
            text += "\(name): \(value)\r\n"
        }
        text += "Content-Type: text/plain\r\nContent-Length: \(message.utf8.count)\r\nConnection: close\r\n\r\n"
        text += message
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)))
            .assumeIsolated()
            .whenComplete { _ in context.close(mode: .output, promise: nil) }
    }

    private static func endOfHead(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    private static func parseHead(_ bytes: ArraySlice<UInt8>) -> Head? {
        var lines: [String] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == 13, index + 1 < bytes.endIndex, bytes[index + 1] == 10 {
                lines.append(String(decoding: bytes[start..<index], as: UTF8.self))
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        lines.append(String(decoding: bytes[start..<bytes.endIndex], as: UTF8.self))
        guard let requestLine = lines.first else { return nil }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers.append((name: trimmed(line[..<colon]), value: trimmed(line[line.index(after: colon)...])))
        }
        return Head(
            requestLine: requestLine,
            method: String(parts[0]),
            target: String(parts[1]),
            version: String(parts[2]),
            headers: headers
        )
    }

    private static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    /// `http://authority/path?query` → (`authority`, `/path?query`).
    private static func splitAbsoluteHTTP(_ target: String) -> (authority: String, originForm: String)? {
        let scheme = "http://"
        guard target.lowercased().hasPrefix(scheme) else { return nil }
        let rest = target.dropFirst(scheme.count)
        let end = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = String(rest[..<end])
        if let at = authority.lastIndex(of: "@") {
            authority = String(authority[authority.index(after: at)...])
        }
        let path = String(rest[end...])
        guard !authority.isEmpty else { return nil }
        return (authority, path.isEmpty ? "/" : path.hasPrefix("?") ? "/" + path : path)
    }

    /// `host:port`, `[v6]:port` or a bare host → (host without brackets, port).
    private static func hostAndPort(_ authority: String, defaultPort: Int) -> (String, Int)? {
        var host = Substring(authority)
        var port = defaultPort
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            guard let parsed = Int(authority[authority.index(after: colon)...]), (1...65535).contains(parsed) else {
                return nil
            }
            host = authority[..<colon]
            port = parsed
        }
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = host.dropFirst().dropLast()
        }
        return host.isEmpty ? nil : (String(host), port)
    }
}
