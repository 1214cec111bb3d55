import AsyncHTTPClient
import HeraldJSON
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One page of a list call.
public struct KubeListPage: Sendable {
    public var items: [JSONValue]
    /// The collection's resourceVersion: where a watch resumes after this list.
    public var resourceVersion: String
    /// Token for the next page, empty on the last page.
    public var continueToken: String
}

/// A small Kubernetes REST client on AsyncHTTPClient: get, list, watch, create, update, merge patch.
///
/// It knows nothing of Flux: it speaks JSON values and resource paths. Credentials come from
/// ``KubeConfig``; a token file is re-read whenever it changes, because projected tokens rotate.
public final class KubeClient: Sendable {
    public let config: KubeConfig
    let http: HTTPClient
    let baseURL: String
    private let tokenCache = Mutex<(token: String, modified: Int64)>(("", -1))
    /// Largest object or list page read (a page of 500 Events is far below it).
    public static let maximumResponseBytes = 64 << 20

    public static let partialObjectMetadataAccept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"

    /// Builds the HTTP client for `config`: its CA, client certificate or token, and proxy; fails on
    /// unreadable TLS material rather than at the first request.
    public init(config: KubeConfig) throws(KubeError) {
        self.config = config
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if config.insecureSkipTLSVerify {
                tls.certificateVerification = .none
            } else if let ca = config.caPEM {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca.utf8)))
            }
            if let certificate = config.clientCertificatePEM, let key = config.clientKeyPEM {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8)).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem))
            }
        } catch {
            throw .configuration("cannot load the cluster's TLS material (\(config.source)): \(error)")
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10)))
        configuration.httpVersion = .http1Only
        if let proxy = config.proxyURL, !proxy.isEmpty {
            guard let parsed = Self.hostPort(proxy) else { throw .configuration("proxy-url \(proxy) is not a URL") }
            if proxy.hasPrefix("socks5://") {
                configuration.proxy = .socksServer(host: parsed.host, port: parsed.port)
            } else if proxy.hasPrefix("http://") {
                configuration.proxy = .server(host: parsed.host, port: parsed.port)
            } else {
                throw .configuration("proxy-url scheme not supported (use http:// or socks5://)")
            }
        }
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        baseURL = config.server.hasSuffix("/") ? String(config.server.dropLast()) : config.server
    }

    /// Closes the connections; call it once, after the last request.
    public func shutdown() async {
        try? await http.shutdown()
    }

    // MARK: verbs

    /// One object; `metadataOnly` asks for `PartialObjectMetadata`, so reading labels does not pull a
    /// whole object (a Kustomization's status can be large).
    public func get(_ path: ResourcePath, metadataOnly: Bool = false) async throws(KubeError) -> JSONValue {
        let accept = metadataOnly ? Self.partialObjectMetadataAccept + ", application/json" : "application/json"
        return try await json(method: .GET, path: path.path, accept: accept)
    }

    /// One page of a collection; pass the page's `continueToken` back until it is empty. Items carry
    /// no `kind` or `apiVersion`, as a real API server sends them.
    public func list(
        _ path: ResourcePath, limit: Int? = nil, continueToken: String? = nil, labelSelector: String? = nil
    ) async throws(KubeError)
        -> KubeListPage
    {
        var query: [(String, String)] = []
        if let limit { query.append(("limit", String(limit))) }
        if let continueToken, !continueToken.isEmpty { query.append(("continue", continueToken)) }
        if let labelSelector { query.append(("labelSelector", labelSelector)) }
        let value = try await json(method: .GET, path: path.path, query: query)
        guard case .array(let items) = value["items"] ?? .array([]) else { throw .decoding("list of \(path) has no items array") }
        return KubeListPage(
            items: items,
            resourceVersion: value["metadata"]?["resourceVersion"]?.stringValue ?? "",
            continueToken: value["metadata"]?["continue"]?.stringValue ?? ""
        )
    }

    /// POSTs `object` to the collection at `path`; 409 when it exists.
    public func create(_ path: ResourcePath, _ object: JSONValue) async throws(KubeError) -> JSONValue {
        try await json(method: .POST, path: path.path, body: JSONWriter.bytes(object), contentType: "application/json")
    }

    /// PUTs `object`; its `metadata.resourceVersion` makes this a compare-and-swap (409 when stale).
    public func update(_ path: ResourcePath, _ object: JSONValue) async throws(KubeError) -> JSONValue {
        try await json(method: .PUT, path: path.path, body: JSONWriter.bytes(object), contentType: "application/json")
    }

    /// An RFC 7386 JSON merge patch; on a `status` subresource path it writes status only.
    public func mergePatch(_ path: ResourcePath, _ patch: JSONValue) async throws(KubeError) -> JSONValue {
        try await json(method: .PATCH, path: path.path, body: JSONWriter.bytes(patch), contentType: "application/merge-patch+json")
    }

    /// The versions of `group` the server serves, preferred first; empty when the group is not served.
    public func servedVersions(of group: String) async throws(KubeError) -> [String] {
        do {
            let value = try await json(method: .GET, path: "/apis/\(group)")
            var versions = (value["versions"]?.arrayValue ?? []).compactMap { $0["version"]?.stringValue }
            if let preferred = value["preferredVersion"]?["version"]?.stringValue, let index = versions.firstIndex(of: preferred) {
                versions.insert(versions.remove(at: index), at: 0)
            }
            return versions
        } catch  where error.isNotFound {
            return []
        }
    }

    /// The resources of one group version, as discovery lists them (`alerts`, `alerts/status`, …).
    public func resources(group: String, version: String) async throws(KubeError) -> [String] {
        let path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        let value = try await json(method: .GET, path: path)
        return (value["resources"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    }

    // MARK: plumbing

    func json(
        method: HTTPMethod, path: String, query: [(String, String)] = [], body: [UInt8]? = nil, contentType: String? = nil,
        accept: String = "application/json"
    ) async throws(KubeError) -> JSONValue {
        let (status, headers, bytes) = try await send(
            method: method, path: path, query: query, body: body, contentType: contentType, accept: accept)
        guard (200..<300).contains(status) else { throw Self.statusError(status: status, headers: headers, body: bytes) }
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw .decoding("\(method) \(path): \(error)")
        }
    }

    func send(
        method: HTTPMethod, path: String, query: [(String, String)], body: [UInt8]?, contentType: String?, accept: String,
        timeout: Duration = .seconds(30)
    ) async throws(KubeError) -> (Int, HTTPHeaders, [UInt8]) {
        let request = try prepare(method: method, path: path, query: query, body: body, contentType: contentType, accept: accept)
        do {
            let response = try await http.execute(request, timeout: .seconds(Int64(timeout.components.seconds)))
            var buffer = try await response.body.collect(upTo: Self.maximumResponseBytes)
            return (Int(response.status.code), response.headers, buffer.readBytes(length: buffer.readableBytes) ?? [])
        } catch let error as KubeError {
            throw error
        } catch {
            throw .transport("\(method) \(path): \(error)")
        }
    }

    func prepare(
        method: HTTPMethod, path: String, query: [(String, String)], body: [UInt8]?, contentType: String?, accept: String
    ) throws(KubeError)
        -> HTTPClientRequest
    {
        var url = baseURL + path
        if !query.isEmpty { url += "?" + query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&") }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: "herald")
        if let authorization = try authorization() { request.headers.add(name: "Authorization", value: authorization) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    /// The Authorization header value; a token file is re-read when its modification time changes.
    func authorization() throws(KubeError) -> String? {
        switch config.credentials {
        case .none: return nil
        case .token(let token): return "Bearer \(token)"
        case .basic(let username, let password):
            return "Basic " + Base64.encode(Array("\(username):\(password)".utf8))
        case .tokenFile(let path):
            var info = stat()
            guard stat(path, &info) == 0 else { throw .configuration("cannot read token file \(path)") }
            let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            if let cached = tokenCache.withLock({ $0.modified == modified && !$0.token.isEmpty ? $0.token : nil }) {
                return "Bearer \(cached)"
            }
            let token = try KubeConfigLoader.readText(path).trimmed
            tokenCache.withLock { $0 = (token, modified) }
            return "Bearer \(token)"
        }
    }

    static func statusError(status: Int, headers: HTTPHeaders, body: [UInt8]) -> KubeError {
        let value = try? JSONParser.parse(body)
        let reason = value?["reason"]?.stringValue ?? HTTPResponseStatus(statusCode: status).reasonPhrase
        let message = value?["message"]?.stringValue ?? String(decoding: body.prefix(256), as: UTF8.self)
        let retryAfter = headers.first(name: "Retry-After").flatMap { Int($0) }
        return .status(code: status, reason: reason, message: message, retryAfterSeconds: retryAfter)
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return result
    }

    static func hostPort(_ url: String) -> (host: String, port: Int)? {
        guard let schemeEnd = url.firstIndex(of: ":"), url[schemeEnd...].hasPrefix("://") else { return nil }
        var authority = url[url.index(schemeEnd, offsetBy: 3)...]
        if let slash = authority.firstIndex(of: "/") { authority = authority[..<slash] }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]) {
            return (String(authority[..<colon]), port)
        }
        return (String(authority), url.hasPrefix("https") ? 443 : url.hasPrefix("socks5") ? 1080 : 80)
    }
}

extension KubeClient {
    /// Kind → plural resource name for one group version, from discovery (subresources excluded).
    public func discoveryResources(group: String, version: String) async throws(KubeError) -> [String: String] {
        let path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        let value = try await json(method: .GET, path: path)
        var result: [String: String] = [:]
        for resource in value["resources"]?.arrayValue ?? [] {
            guard let name = resource["name"]?.stringValue, !name.contains("/"), let kind = resource["kind"]?.stringValue else { continue }
            result[kind] = name
        }
        return result
    }
}
