/// Failures of the in-process test servers, with descriptions that say what was expected.
public enum TestSupportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `WebhookRecorder.waitForRequests(count:timeout:)` gave up before `expected` requests arrived.
    case requestsNotReceived(expected: Int, received: Int, timeout: Duration)
    /// A server bound its socket but the kernel reported no local port.
    case noLocalPort(server: String)
    /// A PEM in `TestTLS` could not be loaded by NIOSSL; `field` names the `TestTLS` property.
    case invalidTLSMaterial(field: String, reason: String)
    /// An external peer process (nats-server) is missing or misbehaved.
    case peer(String)

    public var description: String {
        switch self {
        case .requestsNotReceived(let expected, let received, let timeout):
            "timed out after \(timeout) waiting for \(expected) request(s) to the webhook recorder; "
                + "received \(received)"
        case .noLocalPort(let server):
            "\(server) is bound but its socket has no local port"
        case .invalidTLSMaterial(let field, let reason):
            "TestTLS.\(field) is not usable PEM: \(reason); rerun Tests/HeraldTestSupport/Fixtures/generate.sh"
        case .peer(let message):
            message
        }
    }
}
