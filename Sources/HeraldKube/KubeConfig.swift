import HeraldJSON

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How Herald authenticates to the API server.
public enum KubeCredentials: Sendable, Hashable {
    case none
    case token(String)
    /// A token file, re-read when it changes: projected service-account tokens rotate.
    case tokenFile(String)
    case basic(username: String, password: String)
}

/// Everything needed to reach one API server, resolved from a kubeconfig or the in-cluster service account.
public struct KubeConfig: Sendable, Hashable {
    public var server: String
    public var caPEM: String?
    public var insecureSkipTLSVerify: Bool
    public var clientCertificatePEM: String?
    public var clientKeyPEM: String?
    public var credentials: KubeCredentials
    public var proxyURL: String?
    /// The context's namespace, or the pod's namespace in-cluster; `default` otherwise.
    public var namespace: String
    /// Where this configuration came from, for logs (never includes credentials).
    public var source: String

    public init(
        server: String, caPEM: String? = nil, insecureSkipTLSVerify: Bool = false, clientCertificatePEM: String? = nil,
        clientKeyPEM: String? = nil, credentials: KubeCredentials = .none, proxyURL: String? = nil, namespace: String = "default",
        source: String = "explicit"
    ) {
        self.server = server
        self.caPEM = caPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.credentials = credentials
        self.proxyURL = proxyURL
        self.namespace = namespace
        self.source = source
    }
}

/// Finds and reads the cluster configuration, in kubectl's order of precedence.
///
/// `--kubeconfig`, then the first file of `KUBECONFIG`, then the in-cluster service account, then
/// `~/.kube/config`. Within a kubeconfig: the current context or `--context`.
public enum KubeConfigLoader {
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Finds the configuration as kubectl does: `--kubeconfig`, then `KUBECONFIG`, then the in-cluster
    /// service account, then `~/.kube/config`; the result says which it used.
    public static func load(
        kubeconfig: String? = nil, context: String? = nil, environment: [String: String],
        serviceAccountDirectory: String = KubeConfigLoader.serviceAccountDirectory
    ) throws(KubeError) -> KubeConfig {
        if let kubeconfig, !kubeconfig.isEmpty { return try fromFile(kubeconfig, context: context) }
        if let list = environment["KUBECONFIG"], let first = list.split(separator: ":").first.map(String.init), !first.isEmpty {
            return try fromFile(first, context: context)
        }
        if let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"],
            FileManager.default.fileExists(atPath: serviceAccountDirectory + "/token")
        {
            return try inCluster(host: host, port: port, directory: serviceAccountDirectory)
        }
        if let home = environment["HOME"], FileManager.default.fileExists(atPath: home + "/.kube/config") {
            return try fromFile(home + "/.kube/config", context: context)
        }
        throw .configuration(
            "no cluster configuration found: pass --kubeconfig, set KUBECONFIG, run in a pod with a service account, or create ~/.kube/config"
        )
    }

    /// The in-cluster service account: token file (re-read on change), CA and namespace files.
    public static func inCluster(host: String, port: String, directory: String) throws(KubeError) -> KubeConfig {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let namespace = (try? readText(directory + "/namespace"))?.trimmed ?? "default"
        return KubeConfig(
            server: "https://\(hostPart):\(port)",
            caPEM: try? readText(directory + "/ca.crt"),
            credentials: .tokenFile(directory + "/token"),
            namespace: namespace.isEmpty ? "default" : namespace,
            source: "in-cluster service account"
        )
    }

    /// Reads one kubeconfig file; relative certificate paths resolve against its directory, as kubectl's do.
    public static func fromFile(_ path: String, context requestedContext: String?) throws(KubeError) -> KubeConfig {
        let text = try readText(path)
        let directory = path.contains("/") ? String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) : "."
        return try parse(text, context: requestedContext, baseDirectory: directory, source: "kubeconfig \(path)")
    }

    /// Parses kubeconfig YAML; relative file paths are resolved against `baseDirectory`.
    public static func parse(
        _ text: String, context requestedContext: String?, baseDirectory: String, source: String
    ) throws(KubeError)
        -> KubeConfig
    {
        let documents: [JSONValue]
        do { documents = try YAMLDocuments.parse(text) } catch { throw .configuration("\(source): \(error)") }
        guard let root = documents.first, case .object = root else { throw .configuration("\(source): not a kubeconfig mapping") }

        let contextName = requestedContext ?? root["current-context"]?.stringValue ?? ""
        guard !contextName.isEmpty else { throw .configuration("\(source): no current-context; pass --context") }
        guard let context = named(root["contexts"], contextName)?["context"] else {
            throw .configuration("\(source): context \"\(contextName)\" not found")
        }
        let clusterName = context["cluster"]?.stringValue ?? ""
        guard let cluster = named(root["clusters"], clusterName)?["cluster"] else {
            throw .configuration("\(source): cluster \"\(clusterName)\" of context \"\(contextName)\" not found")
        }
        let userName = context["user"]?.stringValue ?? ""
        let user = named(root["users"], userName)?["user"] ?? .object(JSONObject())

        guard let server = cluster["server"]?.stringValue, !server.isEmpty else {
            throw .configuration("\(source): cluster \"\(clusterName)\" has no server")
        }
        var config = KubeConfig(server: server, source: "\(source), context \(contextName)")
        config.namespace = context["namespace"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        config.insecureSkipTLSVerify = cluster["insecure-skip-tls-verify"]?.boolValue ?? false
        config.proxyURL = cluster["proxy-url"]?.stringValue
        config.caPEM = try material(
            cluster, data: "certificate-authority-data", file: "certificate-authority", base: baseDirectory, source: source)
        if config.insecureSkipTLSVerify && config.caPEM != nil {
            // client-go refuses this too: silently dropping the CA would leave the connection unverified.
            throw .configuration(
                "\(source): cluster \"\(clusterName)\": specifying a root certificates file with the insecure flag is not allowed")
        }
        config.clientCertificatePEM = try material(
            user, data: "client-certificate-data", file: "client-certificate", base: baseDirectory, source: source)
        config.clientKeyPEM = try material(user, data: "client-key-data", file: "client-key", base: baseDirectory, source: source)
        if (config.clientCertificatePEM == nil) != (config.clientKeyPEM == nil) {
            throw .configuration("\(source): user \"\(userName)\" needs both client-certificate and client-key")
        }
        if user["exec"] != nil {
            throw .configuration(
                "\(source): user \"\(userName)\" uses an exec credential plugin, which Herald does not support yet; use a token or client certificate"
            )
        }
        if user["auth-provider"] != nil {
            throw .configuration(
                "\(source): user \"\(userName)\" uses an auth-provider, which Herald does not support; use a token or client certificate")
        }
        if let token = user["token"]?.stringValue, !token.isEmpty {
            config.credentials = .token(token)
        } else if let file = user["tokenFile"]?.stringValue, !file.isEmpty {
            config.credentials = .tokenFile(resolve(file, base: baseDirectory))
        } else if let username = user["username"]?.stringValue, let password = user["password"]?.stringValue {
            config.credentials = .basic(username: username, password: password)
        }
        return config
    }

    static func named(_ list: JSONValue?, _ name: String) -> JSONValue? {
        guard case .array(let items) = list ?? .null else { return nil }
        return items.first { $0["name"]?.stringValue == name }
    }

    static func material(_ object: JSONValue, data: String, file: String, base: String, source: String) throws(KubeError) -> String? {
        if let encoded = object[data]?.stringValue, !encoded.isEmpty {
            guard let decoded = Data(base64Encoded: encoded.filter { !$0.isWhitespace }) else {
                throw .configuration("\(source): \(data) is not valid base64")
            }
            return String(decoding: decoded, as: UTF8.self)
        }
        if let path = object[file]?.stringValue, !path.isEmpty { return try readText(resolve(path, base: base)) }
        return nil
    }

    static func resolve(_ path: String, base: String) -> String {
        path.hasPrefix("/") ? path : base + "/" + path
    }

    static func readText(_ path: String) throws(KubeError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw .configuration("cannot read \(path)") }
        return String(decoding: data, as: UTF8.self)
    }
}

extension String {
    var trimmed: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
