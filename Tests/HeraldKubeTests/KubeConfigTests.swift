import HeraldKube
import Testing

@Suite("kubeconfig")
struct KubeConfigTests {
    @Test("placeholder until the fake API server lands")
    func placeholder() throws {
        let config = try KubeConfigLoader.parse(
            """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
            users: [{name: u, user: {token: abc}}]
            contexts: [{name: x, context: {cluster: c, user: u, namespace: apps}}]
            current-context: x
            """, context: nil, baseDirectory: "/", source: "test")
        #expect(config.server == "https://127.0.0.1:6443")
        #expect(config.credentials == .token("abc"))
        #expect(config.namespace == "apps")
    }
}
