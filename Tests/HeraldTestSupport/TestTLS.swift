import NIOSSL

/// TEST-ONLY TLS material for the in-process servers: a CA, a server certificate for `localhost`
/// and `127.0.0.1`, and a client certificate, all signed by the CA, plus an unrelated "wrong" CA.
///
/// The defaults come from `TestTLSFixtures` (regenerate with `Fixtures/generate.sh`). Their private
/// keys are public; never use them outside tests.
public struct TestTLS: Sendable {
    /// PEM of the CA that signed the server and client certificates; clients trust this.
    public var caPEM: String
    /// PEM of the certificate the server presents (SAN `DNS:localhost`, `IP:127.0.0.1`).
    public var serverCertificatePEM: String
    /// PEM of the server certificate's private key.
    public var serverKeyPEM: String
    /// PEM of a client certificate signed by `caPEM`, for mutual TLS.
    public var clientCertificatePEM: String
    /// PEM of the client certificate's private key.
    public var clientKeyPEM: String
    /// PEM of an unrelated CA: a client trusting only this must reject the server.
    public var wrongCAPEM: String
    /// PEM of a client certificate signed by `wrongCAPEM`: a server trusting `caPEM` rejects it.
    public var wrongClientCertificatePEM: String
    /// PEM of `wrongClientCertificatePEM`'s private key.
    public var wrongClientKeyPEM: String
    /// When true the server requires a client certificate signed by `caPEM` and fails the handshake
    /// without one. When false it still asks for one (optional) and verifies any it gets, so tests
    /// can see through `RecordedRequest.clientCertificatePresented` whether a client sent it.
    public var requireClientCertificate: Bool

    /// The committed test fixtures.
    public init(requireClientCertificate: Bool = false) {
        self.caPEM = TestTLSFixtures.caPEM
        self.serverCertificatePEM = TestTLSFixtures.serverCertificatePEM
        self.serverKeyPEM = TestTLSFixtures.serverKeyPEM
        self.clientCertificatePEM = TestTLSFixtures.clientCertificatePEM
        self.clientKeyPEM = TestTLSFixtures.clientKeyPEM
        self.wrongCAPEM = TestTLSFixtures.wrongCAPEM
        self.wrongClientCertificatePEM = TestTLSFixtures.wrongClientCertificatePEM
        self.wrongClientKeyPEM = TestTLSFixtures.wrongClientKeyPEM
        self.requireClientCertificate = requireClientCertificate
    }

    /// The server side: presents the server certificate; verifies client certificates against
    /// `caPEM` (required or optional per `requireClientCertificate`), without hostname checks.
    func makeServerContext() throws -> NIOSSLContext {
        let chain = try Self.certificates(serverCertificatePEM, field: "serverCertificatePEM")
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: Array(serverKeyPEM.utf8), format: .pem)
        } catch {
            throw TestSupportError.invalidTLSMaterial(field: "serverKeyPEM", reason: "\(error)")
        }
        let roots = try Self.certificates(caPEM, field: "caPEM")
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.trustRoots = .certificates(roots)
        configuration.certificateVerification =
            requireClientCertificate ? .noHostnameVerification : .optionalVerification
        configuration.sendCANameList = true
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TestSupportError.invalidTLSMaterial(field: "serverCertificatePEM", reason: "\(error)")
        }
    }

    private static func certificates(_ pem: String, field: String) throws -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
        } catch {
            throw TestSupportError.invalidTLSMaterial(field: field, reason: "\(error)")
        }
        guard !certificates.isEmpty else {
            throw TestSupportError.invalidTLSMaterial(field: field, reason: "no certificate in the PEM")
        }
        return certificates
    }
}
