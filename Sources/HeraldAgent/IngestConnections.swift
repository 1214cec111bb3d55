import NIOCore
import NIOHTTP1
import Synchronization

/// The event endpoint's open connections: admits or refuses each new one, closes the oldest idle one
/// when full (``ConnectionTable`` decides), and holds the body budget shared by every connection.
final class IngestConnections: Sendable {
    private struct State {
        var table: ConnectionTable<ObjectIdentifier>
        var channels: [ObjectIdentifier: any Channel] = [:]
        var bufferedBodyBytes = 0
    }

    let limits: IngestLimits
    private let state: Mutex<State>

    init(limits: IngestLimits) {
        self.limits = limits
        state = Mutex(State(table: ConnectionTable(capacity: limits.maximumConnections)))
    }

    /// Registers `channel`; false when it must be closed at once (every connection is busy).
    func open(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let (admitted, evicted) = state.withLock { state -> (Bool, (any Channel)?) in
            switch state.table.open(id) {
            case .refused: return (false, nil)
            case .admitted:
                state.channels[id] = channel
                return (true, nil)
            case .admittedClosing(let oldest):
                state.channels[id] = channel
                return (true, state.channels.removeValue(forKey: oldest))
            }
        }
        evicted?.close(promise: nil)
        return admitted
    }

    func busy(_ channel: any Channel) { state.withLock { $0.table.busy(ObjectIdentifier(channel)) } }
    func idle(_ channel: any Channel) { state.withLock { $0.table.idle(ObjectIdentifier(channel)) } }

    func close(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        state.withLock { state in
            state.table.close(id)
            state.channels[id] = nil
        }
    }

    var count: Int { state.withLock { $0.table.count } }

    var bufferedBodyBytes: Int { state.withLock { $0.bufferedBodyBytes } }

    /// Takes `bytes` of the shared body budget; false (nothing taken) when it would exceed the bound.
    func reserveBody(_ bytes: Int) -> Bool {
        state.withLock { state in
            guard state.bufferedBodyBytes + bytes <= limits.bufferedBodyBytes else { return false }
            state.bufferedBodyBytes += bytes
            return true
        }
    }

    func releaseBody(_ bytes: Int) { state.withLock { $0.bufferedBodyBytes -= bytes } }
}

/// Closes a connection that is too slow: headers not read within the header timeout, a body not read
/// within the body timeout, no next request within the idle timeout. It also tells ``IngestConnections``
/// when the connection is busy or idle.
///
/// It sits between the HTTP codec and the async channel, on the connection's event loop, so a timer is
/// a scheduled task there, not a task per connection.
final class IngestConnectionGuard: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let connections: IngestConnections
    private var started = false
    private var deadline: Scheduled<Void>?

    init(connections: IngestConnections) { self.connections = connections }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        guard connections.open(context.channel) else {
            context.close(promise: nil)
            return
        }
        arm(context, after: connections.limits.headerTimeout)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        connections.close(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            connections.busy(context.channel)
            arm(context, after: connections.limits.bodyTimeout)
        case .end:
            // The request is whole: the time to answer it is Herald's, not the sender's.
            deadline?.cancel()
            deadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            connections.idle(context.channel)
            arm(context, after: connections.limits.idleTimeout)
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext, after timeout: Duration) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) { channel.close(promise: nil) }
    }
}
