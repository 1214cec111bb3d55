import HeraldCore
import HeraldKube

extension KubeClient {
    /// The Secret `key`, decoded; nil when it does not exist, which the notifier factory then reports
    /// in Flux's words. Its errors carry no Secret value (the decoder never quotes one).
    func secret(_ key: ObjectKey) async throws -> Secret? {
        let path = ResourcePath(group: "", version: "v1", resource: "secrets", namespace: key.namespace, name: key.name)
        do {
            guard case .secret(let secret) = try ManifestDecoder.decode(try await get(path)) else { return nil }
            return secret
        } catch let error as KubeError where error.isNotFound {
            return nil
        }
    }
}
