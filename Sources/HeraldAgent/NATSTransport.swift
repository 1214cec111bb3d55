import HeraldCore
import HeraldJSON
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// Publishes `PUB` requests over the NATS client protocol: one connection per event, as Flux does.
///
/// INFO → (TLS upgrade) → CONNECT → PING/PONG (the server's answer to the credentials) → PUB →
/// PING/PONG (the server has the message) → close. The server's `PONG` after the `PUB` is what makes
/// a publish count as delivered, reported as status 200.
public struct NATSTransport: Transport {
    /// Longest protocol line read (an INFO with cluster URLs is a few KiB).
    static let maximumLine = 64 << 10
    static let connectionName = "NATS Provider Publisher"

    public init() {}

    public func send(
        _ request: OutgoingRequest, options: TransportOptions, deadline: ContinuousClock.Instant
    ) async throws(TransportError) -> ProviderResponse {
        guard let address = WebAddress(request.url), ["nats", "tls"].contains(address.scheme) else {
            throw .invalidRequest("not a nats:// or tls:// server address")
        }
        guard let subject = request.subject, !subject.isEmpty, !subject.contains(where: { $0.isWhitespace }) else {
            throw .invalidRequest("NATS subject must be non-empty and contain no spaces")
        }
        let tls = try HTTPTransport.makeTLSConfiguration(options.tls)
        let result =
            await DeadlineRace.run(until: deadline) { () async -> Result<ProviderResponse, TransportError> in
                do throws(TransportError) {
                    try await Self.publish(
                        host: address.host, port: address.port ?? 4222, forceTLS: address.scheme == "tls" || options.tls != nil, tls: tls,
                        credentials: options.nats ?? .none, subject: subject, payload: request.body)
                    return .success(ProviderResponse(status: 200))
                } catch {
                    return .failure(error)
                }
            } ?? .failure(.timeout)
        return try result.get()
    }

    static func publish(
        host: String, port: Int, forceTLS: Bool, tls: TLSConfiguration, credentials: NATSCredentials, subject: String, payload: [UInt8]
    ) async throws(TransportError) {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(10))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw .connection("cannot connect to NATS server \(host):\(port): \(error)", retryable: true)
        }
        let tlsFailure = TLSFailureRecorder()
        do {
            try await channel.executeThenClose { inbound, outbound in
                var reader = NATSLineReader(iterator: inbound.makeAsyncIterator())
                let info = try await reader.expect(prefix: "INFO ")
                guard let serverInfo = try? JSONParser.parse(Array(info.utf8)) else {
                    throw TransportError.connection("NATS server sent an INFO that is not JSON", retryable: false)
                }
                let serverWantsTLS = serverInfo["tls_required"]?.boolValue ?? false
                if forceTLS || serverWantsTLS {
                    let context: NIOSSLContext
                    do { context = try NIOSSLContext(configuration: tls) } catch {
                        throw TransportError.invalidRequest("cannot build the TLS context: \(error)")
                    }
                    let underlying = channel.channel
                    try await underlying.eventLoop.submit {
                        // SNI carries host names only (NIOSSL refuses an IP address there).
                        let handler = try NIOSSLClientHandler(context: context, serverHostname: Self.isIPAddress(host) ? nil : host)
                        try underlying.pipeline.syncOperations.addHandlers([handler, tlsFailure], position: .first)
                    }.get()
                }
                if case .number(let text) = serverInfo["max_payload"] ?? .null, let limit = Int(text), payload.count > limit {
                    throw TransportError.invalidRequest("the event is \(payload.count) bytes; the NATS server accepts at most \(limit)")
                }
                let connect = try Self.connectObject(
                    credentials: credentials, nonce: serverInfo["nonce"]?.stringValue, tls: forceTLS || serverWantsTLS)
                try await outbound.write(ByteBuffer(bytes: Array("CONNECT \(JSONWriter.string(connect))\r\nPING\r\n".utf8)))
                try await reader.awaitPong(replyingTo: outbound)
                var message = Array("PUB \(subject) \(payload.count)\r\n".utf8)
                message += payload
                message += Array("\r\nPING\r\n".utf8)
                try await outbound.write(ByteBuffer(bytes: message))
                try await reader.awaitPong(replyingTo: outbound)
            }
        } catch {
            // A failed handshake closes the channel, so the read or write that notices may see only
            // "closed"; the handshake's own error decides whether to retry (a bad certificate is final).
            if let handshakeError = tlsFailure.firstError { throw HTTPTransport.classify(handshakeError) }
            if let error = error as? TransportError { throw error }
            if let error = error as? NIOSSLError { throw HTTPTransport.classify(error) }
            throw .connection("NATS connection to \(host):\(port) failed: \(error)", retryable: true)
        }
    }

    static func isIPAddress(_ host: String) -> Bool {
        host.contains(":") || (!host.isEmpty && host.allSatisfy { $0.isNumber || $0 == "." })
    }

    /// The CONNECT options: never verbose, the connection name Flux uses, and the credentials.
    static func connectObject(credentials: NATSCredentials, nonce: String?, tls: Bool) throws(TransportError) -> JSONValue {
        var object = JSONObject([
            ("verbose", false), ("pedantic", false), ("tls_required", .bool(tls)), ("name", .string(connectionName)), ("lang", "swift"),
            ("version", "herald"), ("protocol", 1), ("headers", false), ("no_responders", false),
        ])
        switch credentials {
        case .none:
            break
        case .userPassword(let user, let password):
            object.append("user", .string(user))
            object.append("pass", .string(password))
        case .token(let token):
            object.append("auth_token", .string(token))
        case .nkey(let seed):
            let key = try nkey(seed)
            object.append("nkey", .string(key.publicKey))
            object.append("sig", .string(try sign(key, nonce: nonce)))
        case .userCredentials(let jwt, let seed):
            let key = try nkey(seed)
            object.append("jwt", .string(jwt))
            object.append("sig", .string(try sign(key, nonce: nonce)))
        }
        return .object(object)
    }

    private static func nkey(_ seed: String) throws(TransportError) -> NATSNKey {
        guard let key = NATSNKey(seed: seed) else { throw .invalidRequest("the NATS nkey seed is not a valid user seed (SU…)") }
        return key
    }

    private static func sign(_ key: NATSNKey, nonce: String?) throws(TransportError) -> String {
        guard let nonce else { throw .connection("the NATS server sent no nonce to sign; it does not accept nkeys", retryable: false) }
        do { return try key.sign(nonce: nonce) } catch { throw .invalidRequest("cannot sign the NATS nonce: \(error)") }
    }
}

/// Keeps the first TLS error raised on a connection, whichever operation then fails because of it.
final class TLSFailureRecorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny
    private let error = Mutex<NIOSSLError?>(nil)

    var firstError: NIOSSLError? { error.withLock { $0 } }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let sslError = error as? NIOSSLError {
            self.error.withLock { if $0 == nil { $0 = sslError } }
        }
        context.fireErrorCaught(error)
    }
}

/// Reads `\r\n`-terminated protocol lines from a NATS connection.
struct NATSLineReader {
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    var buffer: [UInt8] = []

    mutating func line() async throws -> String {
        while true {
            if let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[..<end])
                buffer.removeFirst(end + 1)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard buffer.count < NATSTransport.maximumLine else {
                throw TransportError.connection("NATS server sent a line longer than \(NATSTransport.maximumLine) bytes", retryable: false)
            }
            guard var chunk = try await iterator.next() else {
                throw TransportError.connection("NATS server closed the connection", retryable: true)
            }
            buffer += chunk.readBytes(length: chunk.readableBytes) ?? []
        }
    }

    /// The rest of the first line, which must start with `prefix`.
    mutating func expect(prefix: String) async throws -> String {
        let text = try await line()
        if text.hasPrefix("-ERR") { throw Self.serverError(text) }
        guard text.hasPrefix(prefix) else {
            throw TransportError.connection("NATS server sent \(text.prefix(64)) where \(prefix) was expected", retryable: false)
        }
        return String(text.dropFirst(prefix.count))
    }

    /// Waits for the `PONG` to our `PING`, answering the server's own pings; `-ERR` fails.
    mutating func awaitPong(replyingTo outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws {
        while true {
            let text = try await line()
            switch text {
            case "PONG": return
            case "PING": try await outbound.write(ByteBuffer(bytes: Array("PONG\r\n".utf8)))
            case "+OK", "": continue
            default:
                if text.hasPrefix("-ERR") { throw Self.serverError(text) }
                if text.hasPrefix("INFO ") { continue }
            }
        }
    }

    /// `-ERR 'Authorization Violation'`: authentication and permission errors are not retried.
    static func serverError(_ line: String) -> TransportError {
        var message = Substring(line.dropFirst(4))
        while let first = message.first, first == " " || first == "'" { message.removeFirst() }
        while let last = message.last, last == " " || last == "'" { message.removeLast() }
        let permanent = ["Authorization Violation", "Permissions Violation", "Authentication", "Invalid Subject"].contains {
            message.contains($0)
        }
        return .connection("NATS server error: \(message)", retryable: !permanent)
    }
}
