import NIOCore
import NIOHTTP1
import NIOSSL

/// Serves one connection of a `FakeKubeAPIServer`: collects each request, records it, checks
/// authentication and injected failures, then answers through the router or opens a watch.
/// `HTTPServerPipelineHandler` in front of it holds back pipelined requests while a response (or
/// a watch stream) is still being written.
final class FakeKubeHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let store: FakeKubeStore
    private let control: FakeKubeControl
    private let router: FakeKubeRouter
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var watchID: Int?
    private var watchTimeout: Scheduled<Void>?

    init(store: FakeKubeStore, control: FakeKubeControl) {
        self.store = store
        self.control = control
        self.router = FakeKubeRouter(store: store)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else { return }
            self.head = nil
            let request = FakeKubeRequest(
                method: head.method.rawValue,
                uri: head.uri,
                headers: head.headers.map { (name: $0.name, value: $0.value) },
                body: body,
                clientCertificatePresented: (try? context.pipeline.syncOperations.nioSSL_peerCertificate()) != nil
            )
            body = []
            handle(request, head: head, context: context)
        }
    }

    private func handle(_ request: FakeKubeRequest, head: HTTPRequestHead, context: ChannelHandlerContext) {
        control.record(request)
        guard control.isAuthenticated(request) else {
            write(.failure(.unauthorized), to: head, context: context)
            return
        }
        if let failure = control.takeFailure(for: request) {
            write(.failure(.injected(code: failure.status, retryAfterSeconds: failure.retryAfterSeconds)), to: head, context: context)
            return
        }
        if let delay = control.delay(for: request) {
            context.eventLoop.assumeIsolated().scheduleTask(in: delay) { self.answer(request, head: head, context: context) }
            return
        }
        answer(request, head: head, context: context)
    }

    private func answer(_ request: FakeKubeRequest, head: HTTPRequestHead, context: ChannelHandlerContext) {
        switch router.route(request) {
        case .response(let response):
            write(response, to: head, context: context)
        case .watch(let spec, let contentType):
            var headers = Self.commonHeaders()
            headers.add(name: "Content-Type", value: contentType)
            headers.add(name: "Transfer-Encoding", value: "chunked")
            if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
            let responseHead = HTTPResponseHead(version: head.version, status: .ok, headers: headers)
            do {
                let watch = try store.openWatch(spec, head: responseHead, channel: context.channel, keepAlive: head.isKeepAlive)
                watchTimeout?.cancel()
                watchID = watch.id
                if let seconds = spec.timeoutSeconds {
                    let store = self.store
                    let id = watch.id
                    watchTimeout = context.eventLoop.scheduleTask(in: .seconds(Int64(seconds))) { store.endWatch(id: id) }
                }
            } catch let error as FakeKubeError {
                write(.failure(error), to: head, context: context)
            } catch {
                write(.failure(FakeKubeError(code: 500, reason: "InternalError", message: "\(error)")), to: head, context: context)
            }
        }
    }

    private static func commonHeaders() -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Audit-Id", value: FakeKubeEncoding.randomUUID())
        headers.add(name: "Cache-Control", value: "no-cache, private")
        return headers
    }

    private func write(_ response: FakeKubeRouter.Response, to request: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = Self.commonHeaders()
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        headers.add(name: "Content-Length", value: String(response.body.count))
        if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !request.isKeepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        watchTimeout?.cancel()
        watchTimeout = nil
        if let watchID { store.removeWatch(id: watchID) }
        watchID = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // TLS handshake failures (missing or untrusted client certificate) and protocol errors end
        // the connection; the client sees the failure.
        context.close(promise: nil)
    }
}
