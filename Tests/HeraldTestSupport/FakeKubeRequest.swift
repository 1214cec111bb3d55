/// One request as a `FakeKubeAPIServer` received it, so tests can assert what a client sent
/// (query parameters, `Authorization`, `Accept`, `Content-Type`, patch bodies).
public struct FakeKubeRequest: Sendable {
    /// The request method as sent, e.g. `PATCH`.
    public let method: String
    /// The request target as sent: path and raw query.
    public let uri: String
    /// The path without the query.
    public let path: String
    /// The query parameters, percent-decoded, in order.
    public let queryItems: [(name: String, value: String)]
    /// The headers in the order they arrived, names as sent.
    public let headers: [(name: String, value: String)]
    /// The full body (after de-chunking).
    public let body: [UInt8]
    /// Whether the client presented a certificate during the TLS handshake (always false without TLS).
    public let clientCertificatePresented: Bool

    init(method: String, uri: String, headers: [(name: String, value: String)], body: [UInt8], clientCertificatePresented: Bool) {
        self.method = method
        self.uri = uri
        if let question = uri.firstIndex(of: "?") {
            path = String(uri[..<question])
            queryItems = FakeKubeEncoding.queryItems(uri[uri.index(after: question)...])
        } else {
            path = uri
            queryItems = []
        }
        self.headers = headers
        self.body = body
        self.clientCertificatePresented = clientCertificatePresented
    }

    /// The first value of query parameter `name`, or nil when absent.
    public func query(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    /// The first value of header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The body decoded as UTF-8 (invalid sequences replaced).
    public var bodyString: String {
        String(decoding: body, as: UTF8.self)
    }
}
