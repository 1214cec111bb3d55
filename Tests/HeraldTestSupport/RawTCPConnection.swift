import NIOCore
import NIOPosix
import Synchronization

/// A bare TCP client for tests that act as hostile peers: it sends exactly the bytes it is given, when
/// it is told, and reports what came back and whether the server closed the connection.
public final class RawTCPConnection: Sendable {
    private let channel: any Channel
    private let collector: Collector

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    public static func connect(port: Int) async throws -> RawTCPConnection {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawTCPConnection(channel: channel, collector: collector)
    }

    public func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    public func send(_ data: [UInt8]) async throws { try await channel.writeAndFlush(ByteBuffer(bytes: data)) }

    /// Everything the server has sent so far.
    public var received: String { String(decoding: collector.bytes.withLock { $0 }, as: UTF8.self) }

    public var isOpen: Bool { channel.isActive }

    /// Polls until the server has closed the connection; false when it is still open after `timeout`.
    public func waitForClose(timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while channel.isActive && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        return !channel.isActive
    }

    /// Polls until the received bytes contain `text`; false when they do not after `timeout`.
    public func waitFor(_ text: String, timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !received.contains(text) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        return received.contains(text)
    }

    public func close() async { try? await channel.close() }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let bytes = Mutex<[UInt8]>([])

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            bytes.withLock { $0.append(contentsOf: buffer.readableBytesView) }
        }
    }
}
