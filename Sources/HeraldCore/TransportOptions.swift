/// A proxy a provider's requests go through (`spec.proxy`, Secret `proxy`, or `proxySecretRef`).
public struct ProxySettings: Sendable, Hashable {
    public var scheme: String
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?

    public init(scheme: String, host: String, port: Int, username: String? = nil, password: String? = nil) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.username = username
        self.password = password
    }
}

/// PEM material for a provider's TLS: a CA that replaces the system roots, and/or a client certificate.
public struct TLSMaterial: Sendable, Hashable {
    public var caPEM: String?
    public var certificatePEM: String?
    public var privateKeyPEM: String?

    public init(caPEM: String? = nil, certificatePEM: String? = nil, privateKeyPEM: String? = nil) {
        self.caPEM = caPEM
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }
}

/// How a provider's requests travel: the per-Provider settings of the transport.
public struct TransportOptions: Sendable, Hashable {
    /// The budget for one delivery, retries included (Provider `spec.timeout`, default 15 s).
    public var timeout: Duration
    public var proxy: ProxySettings?
    public var tls: TLSMaterial?
    /// How a NATS connection authenticates; `nil` for HTTP providers.
    public var nats: NATSCredentials?

    public init(
        timeout: Duration = Provider.defaultTimeout, proxy: ProxySettings? = nil, tls: TLSMaterial? = nil, nats: NATSCredentials? = nil
    ) {
        self.timeout = timeout
        self.proxy = proxy
        self.tls = tls
        self.nats = nats
    }
}

/// A NATS connection's credentials, in Flux's order of precedence (reference §4.23).
public enum NATSCredentials: Sendable, Hashable {
    case none
    /// A `.creds` file: the user JWT and the nkey seed that signs the server's nonce.
    case userCredentials(jwt: String, seed: String)
    /// An nkey seed (`SU…`) whose public key the server knows.
    case nkey(seed: String)
    case userPassword(user: String, password: String)
    /// Herald's addition: a server `authorization { token }`.
    case token(String)
}
