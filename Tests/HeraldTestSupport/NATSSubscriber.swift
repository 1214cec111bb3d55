import HeraldJSON
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A minimal NATS subscriber, written from the protocol document independently of Herald's
/// publisher, so a test sees what the server really delivered.
public final class NATSSubscriber: Sendable {
    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private let state = State()
    private let reader: Task<Void, Never>

    /// What the reading task found, shared with the methods that wait for it.
    private final class State: Sendable {
        let received = Mutex<[[UInt8]]>([])
        let pongs = Mutex(0)
        let failure = Mutex<String?>(nil)
        let sawInfo = Mutex(false)
    }

    /// Connects, authenticates with `connect` fields (`user`/`pass`, `auth_token`), subscribes and waits
    /// for the server's PONG, so messages published afterwards are seen.
    public static func subscribe(
        port: Int, subject: String, connect fields: [(String, String)] = [], tls: TestTLS? = nil
    ) async throws -> NATSSubscriber {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let subscriber = NATSSubscriber(channel: channel)
        // The server's INFO comes in plain text; TLS starts after it.
        try await subscriber.wait("INFO") { $0.sawInfo.withLock { $0 } }
        if let tls {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(tls.caPEM.utf8)))
            let context = try NIOSSLContext(configuration: configuration)
            let underlying = channel.channel
            try await underlying.eventLoop.submit {
                try underlying.pipeline.syncOperations.addHandler(
                    NIOSSLClientHandler(context: context, serverHostname: "localhost"), position: .first)
            }.get()
        }
        var object = JSONObject([
            ("verbose", false), ("pedantic", false), ("tls_required", .bool(tls != nil)), ("name", "herald-test-subscriber"),
        ])
        for (key, value) in fields { object.append(key, .string(value)) }
        let commands = "CONNECT \(JSONWriter.string(.object(object)))\r\nSUB \(subject) 1\r\nPING\r\n"
        try await channel.channel.writeAndFlush(ByteBuffer(bytes: Array(commands.utf8)))
        try await subscriber.wait("PONG") { $0.pongs.withLock { $0 } > 0 }
        return subscriber
    }

    private init(channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>) {
        self.channel = channel
        let state = state
        reader = Task { [channel] in
            do {
                try await channel.executeThenClose { inbound, _ in
                    var buffer: [UInt8] = []
                    var pendingPayload: Int?
                    for try await var chunk in inbound {
                        buffer += chunk.readBytes(length: chunk.readableBytes) ?? []
                        while true {
                            if let size = pendingPayload {
                                guard buffer.count >= size + 2 else { break }
                                state.received.withLock { $0.append(Array(buffer[..<size])) }
                                buffer.removeFirst(size + 2)
                                pendingPayload = nil
                                continue
                            }
                            guard let end = buffer.firstIndex(of: UInt8(ascii: "\n")) else { break }
                            let line = String(decoding: buffer[..<end], as: UTF8.self).trimmingSuffix("\r")
                            buffer.removeFirst(end + 1)
                            if line.hasPrefix("INFO ") {
                                state.sawInfo.withLock { $0 = true }
                                continue
                            }
                            if line == "+OK" { continue }
                            if line == "PING" {
                                try await channel.channel.writeAndFlush(ByteBuffer(bytes: Array("PONG\r\n".utf8)))
                            } else if line == "PONG" {
                                state.pongs.withLock { $0 += 1 }
                            } else if line.hasPrefix("MSG ") {
                                pendingPayload = line.split(separator: " ").last.flatMap { Int($0) }
                            } else if line.hasPrefix("-ERR") {
                                state.failure.withLock { $0 = line }
                            }
                        }
                    }
                }
            } catch {
                state.failure.withLock { $0 = "\(error)" }
            }
        }
    }

    private func wait(_ what: String, until condition: (State) -> Bool) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while !condition(state) {
            if let failure = state.failure.withLock({ $0 }) { throw TestSupportError.peer("subscriber: \(failure)") }
            guard ContinuousClock.now < deadline else { throw TestSupportError.peer("subscriber: no \(what) from nats-server") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits until `count` messages arrived, and returns them all.
    public func messages(count: Int, timeout: Duration = .seconds(10)) async throws -> [[UInt8]] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let messages = state.received.withLock { $0 }
            if messages.count >= count { return messages }
            guard ContinuousClock.now < deadline else {
                throw TestSupportError.peer("subscriber: \(messages.count) of \(count) message(s) within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    public func close() async {
        reader.cancel()
        try? await channel.channel.close()
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: Character) -> String { last == suffix ? String(dropLast()) : self }
}
