import HeraldJSON

/// One complete request as a `WebhookRecorder` received it.
public struct RecordedRequest: Sendable {
    /// The request method as sent, e.g. `POST`.
    public let method: String
    /// The request target as sent: path and query (`/hook?x=1`).
    public let uri: String
    /// The headers in the order they arrived, names as sent.
    public let headers: [(name: String, value: String)]
    /// The full body (after de-chunking).
    public let body: [UInt8]
    /// When the last byte of the request arrived.
    public let receivedAt: ContinuousClock.Instant
    /// Whether the client presented a certificate during the TLS handshake (always false without TLS).
    public let clientCertificatePresented: Bool

    /// `uri` without its query.
    public var path: String {
        if let question = uri.firstIndex(of: "?") { String(uri[..<question]) } else { uri }
    }

    /// The query of `uri` (after `?`), or nil when there is none.
    public var query: String? {
        guard let question = uri.firstIndex(of: "?") else { return nil }
        return String(uri[uri.index(after: question)...])
    }

    /// The first value of header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headerValues(name).first
    }

    /// Every value of header `name` in arrival order, compared case-insensitively.
    public func headerValues(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// The body decoded as UTF-8 (invalid sequences replaced).
    public var bodyString: String {
        String(decoding: body, as: UTF8.self)
    }

    /// The body parsed as JSON, or nil when it is not valid JSON.
    public var bodyJSON: JSONValue? {
        try? JSONParser.parse(body)
    }
}
