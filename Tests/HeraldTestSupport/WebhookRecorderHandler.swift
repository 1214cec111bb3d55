import NIOCore
import NIOHTTP1
import NIOSSL

/// Collects one request (head, body, end) at a time, records it and writes the scripted answer.
/// `HTTPServerPipelineHandler` in front of it holds back pipelined requests until the answer ends.
final class WebhookRecorderHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let storage: WebhookRecorder.Storage
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var delayedAnswer: Scheduled<Void>?

    init(storage: WebhookRecorder.Storage) {
        self.storage = storage
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            if head.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                let proceed = HTTPResponseHead(version: head.version, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(proceed)), promise: nil)
            }
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else { return }
            self.head = nil
            let request = RecordedRequest(
                method: head.method.rawValue,
                uri: head.uri,
                headers: head.headers.map { (name: $0.name, value: $0.value) },
                body: body,
                receivedAt: .now,
                clientCertificatePresented: (try? context.pipeline.syncOperations.nioSSL_peerCertificate()) != nil
            )
            body = []
            answer(storage.record(request), to: head, context: context)
        }
    }

    private func answer(_ response: ScriptedResponse, to request: HTTPRequestHead, context: ChannelHandlerContext) {
        guard !response.hangs else { return }
        guard response.delay > .zero else {
            write(response, to: request, context: context)
            return
        }
        delayedAnswer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(response.delay)) {
            self.delayedAnswer = nil
            self.write(response, to: request, context: context)
        }
    }

    private func write(_ response: ScriptedResponse, to request: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = HTTPHeaders(response.headers)
        if !headers.contains(name: "content-length") && !headers.contains(name: "transfer-encoding") {
            headers.add(name: "content-length", value: String(response.body.count))
        }
        let keepAlive = request.isKeepAlive && !headers[canonicalForm: "connection"].contains { $0.lowercased() == "close" }
        if !keepAlive {
            headers.replaceOrAdd(name: "connection", value: "close")
        }
        let head = HTTPResponseHead(
            version: request.version,
            status: HTTPResponseStatus(statusCode: response.status),
            headers: headers
        )
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        delayedAnswer?.cancel()
        delayedAnswer = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // TLS handshake failures (missing or untrusted client certificate) and protocol errors end
        // the connection; the client sees the failure.
        context.close(promise: nil)
    }
}
