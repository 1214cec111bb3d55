import AsyncHTTPClient
import HeraldCore
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// The AsyncHTTPClient transport: one client per proxy setting, TLS chosen per request.
///
/// AsyncHTTPClient sets TLS per request but proxies per client, so clients are cached by proxy
/// (bounded: Providers share a handful of proxies at most). Parsed TLS configurations are cached by
/// their PEM material, so a Provider's certificates are parsed once, not per notification.
public final class HTTPTransport: Transport {
    /// Largest response body read; GitHub's status list for one commit is far below it.
    public static let maximumResponseBytes = 4 << 20
    static let maximumCachedClients = 16
    /// How long a webhook connection stays open without a request.
    static let idleConnectionTimeout: TimeAmount = .seconds(5)
    static let maximumCachedTLS = 64

    private struct State {
        var clients: [ProxySettings?: HTTPClient] = [:]
        var tls: [TLSMaterial: TLSConfiguration] = [:]
        var retired: [HTTPClient] = []
    }

    private let state = Mutex(State())
    private let connectTimeout: Duration
    private let environmentProxy: EnvironmentProxy

    /// `connectTimeout` bounds each TCP and TLS connect; the Provider's timeout bounds the whole attempt.
    /// `environmentProxy` (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`) serves requests whose Provider names no proxy.
    public init(connectTimeout: Duration = .seconds(10), environmentProxy: EnvironmentProxy = .none) {
        self.connectTimeout = connectTimeout
        self.environmentProxy = environmentProxy
    }

    public func send(
        _ request: OutgoingRequest, options: TransportOptions, deadline: ContinuousClock.Instant
    ) async throws(TransportError)
        -> ProviderResponse
    {
        let client = try client(for: options.proxy ?? environmentProxy.proxy(for: request.url))
        var httpRequest = HTTPClientRequest(url: request.url)
        httpRequest.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { httpRequest.headers.add(name: header.name, value: header.value) }
        if !request.body.isEmpty || request.method == "POST" || request.method == "PUT" {
            httpRequest.body = .bytes(ByteBuffer(bytes: request.body))
        }
        if let material = options.tls { httpRequest.tlsConfiguration = try tlsConfiguration(for: material) }

        let prepared = httpRequest
        let result =
            await DeadlineRace.run(until: deadline) { () async -> Result<ProviderResponse, TransportError> in
                do {
                    let remaining = ContinuousClock.now.duration(to: deadline)
                    let response = try await client.execute(prepared, timeout: .nanoseconds(max(1, remaining.nanoseconds)))
                    var body = try await response.body.collect(upTo: Self.maximumResponseBytes)
                    let bytes = body.readBytes(length: body.readableBytes) ?? []
                    let headers = response.headers.map { HTTPHeaderField($0.name, $0.value) }
                    return .success(ProviderResponse(status: Int(response.status.code), headers: headers, body: bytes))
                } catch {
                    return .failure(Self.classify(error))
                }
            } ?? .failure(.timeout)
        return try result.get()
    }

    /// Shuts every client down; in-flight requests fail.
    public func shutdown() async {
        let clients = state.withLock { state in
            let all = Array(state.clients.values) + state.retired
            state.clients = [:]
            state.retired = []
            return all
        }
        for client in clients { try? await client.shutdown() }
    }

    private func client(for proxy: ProxySettings?) throws(TransportError) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .follow(max: 10, allowCycles: false),
            timeout: .init(connect: .nanoseconds(connectTimeout.nanoseconds)),
            decompression: .disabled
        )
        // Retries belong to the Deliverer (Flux's rules, within the Provider timeout); AsyncHTTPClient would
        // otherwise retry a failing connection on its own until the deadline, even a certificate error.
        configuration.connectionPool.retryConnectionEstablishment = false
        // An idle connection keeps its buffers (and a TLS session's state); most Providers are written to
        // rarely, so a connection is closed soon after its last request instead of after AsyncHTTPClient's 60 s.
        configuration.connectionPool.idleTimeout = Self.idleConnectionTimeout
        if let proxy {
            switch proxy.scheme {
            case "http":
                let authorization = proxy.username.map { HTTPClient.Authorization.basic(username: $0, password: proxy.password ?? "") }
                configuration.proxy = .server(host: proxy.host, port: proxy.port, authorization: authorization)
            case "socks5":
                configuration.proxy = .socksServer(host: proxy.host, port: proxy.port)
            default:
                throw .invalidRequest("proxy scheme \(proxy.scheme) is not supported by Herald's transport yet; use http or socks5")
            }
        }
        return state.withLock { state in
            if let existing = state.clients[proxy] { return existing }
            if state.clients.count >= Self.maximumCachedClients, let evicted = state.clients.first {
                // Requests may still be running on the evicted client: retire it, and shut down the
                // oldest retired one once too many pile up, so the cache stays bounded.
                state.clients.removeValue(forKey: evicted.key)
                state.retired.append(evicted.value)
                if state.retired.count > Self.maximumCachedClients {
                    let oldest = state.retired.removeFirst()
                    Task { try? await oldest.shutdown() }
                }
            }
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            state.clients[proxy] = client
            return client
        }
    }

    private func tlsConfiguration(for material: TLSMaterial) throws(TransportError) -> TLSConfiguration {
        if let cached = state.withLock({ $0.tls[material] }) { return cached }
        let configuration = try Self.makeTLSConfiguration(material)
        state.withLock { state in
            if state.tls.count >= Self.maximumCachedTLS { state.tls.removeAll() }
            state.tls[material] = configuration
        }
        return configuration
    }

    /// A client TLS configuration from a Provider's PEM material: its CA replaces the system roots.
    static func makeTLSConfiguration(_ material: TLSMaterial?) throws(TransportError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        guard let material else { return configuration }
        do {
            if let ca = material.caPEM {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca.utf8)))
            }
            if let certificate = material.certificatePEM, let key = material.privateKeyPEM {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8)).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem))
            }
        } catch {
            // NIOSSL's errors name the failing call, never the key material.
            throw .invalidRequest("cannot load TLS material from certSecretRef: \(error)")
        }
        return configuration
    }

    /// go-retryablehttp retries connection errors except bad certificates, bad URLs and redirect loops.
    static func classify(_ error: any Error) -> TransportError {
        if let clientError = error as? HTTPClientError {
            if [.invalidURL, .emptyHost, .emptyScheme].contains(clientError) || "\(clientError)".contains("unsupportedScheme") {
                return .invalidRequest("invalid URL: \(clientError)")
            }
            if [.redirectLimitReached, .redirectCycleDetected].contains(clientError) {
                return .connection("too many redirects", retryable: false)
            }
            if [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .cancelled].contains(clientError) {
                return .timeout
            }
            return .connection("\(clientError)", retryable: true)
        }
        if let sslError = error as? NIOSSLError {
            if case .handshakeFailed(let reason) = sslError, "\(reason)".contains("CERTIFICATE_VERIFY_FAILED") {
                return .tls("TLS certificate verification failed: \(reason)", retryable: false)
            }
            return .tls("TLS error: \(sslError)", retryable: true)
        }
        if error is CancellationError { return .timeout }
        return .connection("\(error)", retryable: true)
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return product.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}
