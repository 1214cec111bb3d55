/// A failed Kubernetes API call, typed after the API's `Status` object where the server sent one.
public enum KubeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The API server answered with an error status (`code`, `reason` such as `NotFound`, `message`).
    case status(code: Int, reason: String, message: String, retryAfterSeconds: Int?)
    /// No answer: connection, TLS or timeout.
    case transport(String)
    /// An answer that is not the JSON the API promises.
    case decoding(String)
    /// Client configuration that cannot work (kubeconfig, credentials, certificates).
    case configuration(String)

    public var description: String {
        switch self {
        case .status(let code, let reason, let message, _): "API server answered \(code) \(reason): \(message)"
        case .transport(let reason): "cannot reach the API server: \(reason)"
        case .decoding(let reason): "unexpected answer from the API server: \(reason)"
        case .configuration(let reason): "Kubernetes client configuration: \(reason)"
        }
    }

    /// The HTTP status, when the server answered.
    public var code: Int? {
        if case .status(let code, _, _, _) = self { return code }
        return nil
    }

    public var isNotFound: Bool { code == 404 }
    /// `410 Gone`: the resource version is too old and the client must relist.
    public var isGone: Bool { code == 410 }
}
