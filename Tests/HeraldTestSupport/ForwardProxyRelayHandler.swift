import NIOCore

/// The upstream side of a proxied connection: copies every byte to the client channel and closes
/// it (after those bytes are written) when the upstream closes.
final class ForwardProxyRelayHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let peer: any Channel
    private var lastWrite: EventLoopFuture<Void>?

    init(peer: any Channel) {
        self.peer = peer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastWrite = peer.writeAndFlush(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        ForwardProxyHandler.close(peer, after: lastWrite)
        lastWrite = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
