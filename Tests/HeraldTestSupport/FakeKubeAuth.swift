/// How a `FakeKubeAPIServer` authenticates requests, so clients' credential handling (bearer
/// tokens, token rotation, client certificates) is exercised against real checks.
public enum FakeKubeAuth: Sendable {
    /// Every request is accepted, as with an apiserver that allows anonymous access.
    case none
    /// Requests must carry `Authorization: Bearer <token>` with a token from the set; otherwise 401.
    /// `FakeKubeAPIServer.setAcceptedTokens(_:)` replaces the set, to simulate rotation.
    case bearerToken(Set<String>)
    /// The TLS handshake requires a client certificate signed by the test CA (needs `tls`).
    case clientCertificate
}
