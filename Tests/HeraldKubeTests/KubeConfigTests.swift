import Foundation
import HeraldKube
import HeraldTestSupport
import Testing

/// kubeconfig and in-cluster configuration, in kubectl's order of precedence.
@Suite("Kubernetes client configuration")
struct KubeConfigTests {
    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    static let k3sStyle = """
        apiVersion: v1
        kind: Config
        clusters:
        - cluster:
            certificate-authority-data: \(base64(TestTLSFixtures.caPEM))
            server: https://127.0.0.1:6443
          name: default
        contexts:
        - context:
            cluster: default
            user: default
          name: default
        current-context: default
        preferences: {}
        users:
        - name: default
          user:
            client-certificate-data: \(base64(TestTLSFixtures.clientCertificatePEM))
            client-key-data: \(base64(TestTLSFixtures.clientKeyPEM))
        """

    @Test("a k3s kubeconfig: CA and EC client certificate from -data fields, namespace default")
    func k3sKubeconfig() async throws {
        let config = try KubeConfigLoader.parse(Self.k3sStyle, context: nil, baseDirectory: "/etc/rancher/k3s", source: "k3s.yaml")
        #expect(config.server == "https://127.0.0.1:6443")
        #expect(config.caPEM == TestTLSFixtures.caPEM)
        #expect(config.clientCertificatePEM == TestTLSFixtures.clientCertificatePEM)
        #expect(config.clientKeyPEM == TestTLSFixtures.clientKeyPEM)
        #expect(config.credentials == .none)
        #expect(config.namespace == "default")
        let client = try KubeClient(config: config)  // the EC key and certificates load
        await client.shutdown()
    }

    @Test("insecure-skip-tls-verify together with a CA is refused with kubectl's message, not a silently dropped CA")
    func insecureWithCARefused() {
        let text = Self.k3sStyle.replacingOccurrences(
            of: "    server: https://127.0.0.1:6443", with: "    server: https://127.0.0.1:6443\n    insecure-skip-tls-verify: true")
        #expect {
            try KubeConfigLoader.parse(text, context: nil, baseDirectory: "/", source: "k3s.yaml")
        } throws: { error in
            "\(error)".contains("specifying a root certificates file with the insecure flag is not allowed")
        }
    }

    @Test("--context selects another context; token, tokenFile and basic auth are read; relative paths resolve")
    func contextsAndCredentials() throws {
        let text = """
            clusters:
            - {name: a, cluster: {server: "https://a:6443", insecure-skip-tls-verify: true, proxy-url: "http://proxy:3128"}}
            - {name: b, cluster: {server: "https://b:6443", certificate-authority: ca.pem}}
            users:
            - {name: t, user: {token: abc}}
            - {name: f, user: {tokenFile: token}}
            - {name: p, user: {username: admin, password: secret}}
            contexts:
            - {name: one, context: {cluster: a, user: t, namespace: apps}}
            - {name: two, context: {cluster: b, user: f}}
            - {name: three, context: {cluster: a, user: p}}
            current-context: one
            """
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-kubeconfig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(TestTLSFixtures.caPEM.utf8).write(to: directory.appendingPathComponent("ca.pem"))

        let one = try KubeConfigLoader.parse(text, context: nil, baseDirectory: directory.path, source: "t")
        #expect(one.server == "https://a:6443")
        #expect(one.insecureSkipTLSVerify)
        #expect(one.proxyURL == "http://proxy:3128")
        #expect(one.credentials == .token("abc"))
        #expect(one.namespace == "apps")
        let two = try KubeConfigLoader.parse(text, context: "two", baseDirectory: directory.path, source: "t")
        #expect(two.caPEM == TestTLSFixtures.caPEM)
        #expect(two.credentials == .tokenFile(directory.path + "/token"))
        let three = try KubeConfigLoader.parse(text, context: "three", baseDirectory: directory.path, source: "t")
        #expect(three.credentials == .basic(username: "admin", password: "secret"))
    }

    @Test("an exec credential plugin is a clear error, not a silent anonymous client")
    func execPluginIsAnError() {
        let text = """
            clusters: [{name: c, cluster: {server: "https://c"}}]
            users: [{name: u, user: {exec: {command: aws, args: [eks, get-token]}}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x
            """
        #expect(throws: KubeError.self) { try KubeConfigLoader.parse(text, context: nil, baseDirectory: "/", source: "eks") }
        do {
            _ = try KubeConfigLoader.parse(text, context: nil, baseDirectory: "/", source: "eks")
        } catch {
            #expect(error.description.contains("exec credential plugin"))
        }
    }

    @Test("missing pieces name what is missing")
    func errors() {
        let noContext = "clusters: []\nusers: []\ncontexts: []\n"
        #expect(throws: KubeError.self) { try KubeConfigLoader.parse(noContext, context: nil, baseDirectory: "/", source: "x") }
        let unknown = """
            clusters: [{name: c, cluster: {server: "https://c"}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x
            """
        #expect(throws: KubeError.self) { try KubeConfigLoader.parse(unknown, context: "y", baseDirectory: "/", source: "x") }
    }

    @Test("precedence: --kubeconfig, then KUBECONFIG's first file, then the service account, then ~/.kube/config")
    func precedence() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-precedence-\(UUID().uuidString)")
        let serviceAccount = directory.appendingPathComponent("sa")
        let home = directory.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: serviceAccount, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".kube"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func kubeconfig(_ server: String) -> String {
            """
            clusters: [{name: c, cluster: {server: "\(server)"}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x
            """
        }
        let flag = directory.appendingPathComponent("flag.yaml")
        let env = directory.appendingPathComponent("env.yaml")
        try Data(kubeconfig("https://flag").utf8).write(to: flag)
        try Data(kubeconfig("https://env").utf8).write(to: env)
        try Data(kubeconfig("https://home").utf8).write(to: home.appendingPathComponent(".kube/config"))
        try Data("sa-token\n".utf8).write(to: serviceAccount.appendingPathComponent("token"))
        try Data("flux-system".utf8).write(to: serviceAccount.appendingPathComponent("namespace"))
        try Data(TestTLSFixtures.caPEM.utf8).write(to: serviceAccount.appendingPathComponent("ca.crt"))

        var environment = [
            "KUBECONFIG": env.path + ":/nonexistent", "KUBERNETES_SERVICE_HOST": "10.43.0.1", "KUBERNETES_SERVICE_PORT": "443",
            "HOME": home.path,
        ]
        func server() throws -> String {
            try KubeConfigLoader.load(kubeconfig: nil, environment: environment, serviceAccountDirectory: serviceAccount.path).server
        }
        #expect(
            try KubeConfigLoader.load(kubeconfig: flag.path, environment: environment, serviceAccountDirectory: serviceAccount.path).server
                == "https://flag")
        #expect(try server() == "https://env")
        environment["KUBECONFIG"] = nil
        let inCluster = try KubeConfigLoader.load(kubeconfig: nil, environment: environment, serviceAccountDirectory: serviceAccount.path)
        #expect(inCluster.server == "https://10.43.0.1:443")
        #expect(inCluster.namespace == "flux-system")
        #expect(inCluster.credentials == .tokenFile(serviceAccount.path + "/token"))
        #expect(inCluster.caPEM == TestTLSFixtures.caPEM)
        environment["KUBERNETES_SERVICE_HOST"] = nil
        #expect(try server() == "https://home")
        environment["HOME"] = "/nonexistent"
        #expect(throws: KubeError.self) { try server() }
    }
}
