/// One answer a `WebhookRecorder` gives: status, headers, body, an optional delay, or no answer
/// at all (`hang`) so tests can exercise client timeouts.
public struct ScriptedResponse: Sendable {
    /// HTTP status code.
    public var status: Int
    /// Response headers in order. `content-length` is added when neither it nor
    /// `transfer-encoding` is given.
    public var headers: [(String, String)]
    /// Response body bytes.
    public var body: [UInt8]
    /// How long the server waits before answering; other connections are served meanwhile.
    public var delay: Duration
    /// When true the server never answers this request (the connection stays open).
    public var hangs: Bool

    /// A response with a byte body.
    public init(status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = [], delay: Duration = .zero) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.hangs = false
    }

    /// A response with a UTF-8 text body.
    public init(status: Int = 200, headers: [(String, String)] = [], body: String, delay: Duration = .zero) {
        self.init(status: status, headers: headers, body: Array(body.utf8), delay: delay)
    }

    /// 200 with an empty body: what the recorder answers when nothing is scripted.
    public static let ok = ScriptedResponse()

    /// Never answers: the request is recorded and the connection is left open.
    public static let hang: ScriptedResponse = {
        var response = ScriptedResponse()
        response.hangs = true
        return response
    }()

    /// An empty-bodied response with `status`.
    public static func status(_ status: Int, headers: [(String, String)] = []) -> ScriptedResponse {
        ScriptedResponse(status: status, headers: headers)
    }
}
