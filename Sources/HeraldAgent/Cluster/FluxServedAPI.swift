import HeraldCore
import HeraldJSON
import HeraldKube

/// Which Flux API version Herald reads, and whether its objects have a status subresource.
public struct FluxServedAPI: Sendable, Hashable {
    public var version: FluxAPIVersion
    public var alertsHaveStatus: Bool
    public var providersHaveStatus: Bool

    /// Asks discovery which Alert/Provider versions are served and picks the newest Herald knows.
    public static func discover(client: KubeClient) async throws(KubeError) -> FluxServedAPI {
        let served = try await client.servedVersions(of: FluxAPIVersion.group)
        guard let version = FluxAPIVersion.allCases.reversed().first(where: { served.contains($0.rawValue) }) else {
            throw .configuration(
                "the API server serves no notification.toolkit.fluxcd.io version Herald reads (v1beta1, v1beta2, v1beta3); are the Flux CRDs installed?"
            )
        }
        let resources = try await client.resources(group: FluxAPIVersion.group, version: version.rawValue)
        return FluxServedAPI(
            version: version, alertsHaveStatus: resources.contains("alerts/status"),
            providersHaveStatus: resources.contains("providers/status"))
    }

    func path(_ resource: String, namespace: String?) -> ResourcePath {
        ResourcePath(group: FluxAPIVersion.group, version: version.rawValue, resource: resource, namespace: namespace)
    }

    /// An Alert or Provider read from this API, decoded as the served version whatever `kind` and
    /// `apiVersion` it carries (list items carry neither), and not refused for spec fields newer than
    /// Herald: the API server's own CRD has validated it.
    func decode(_ object: JSONValue, as kind: FluxObjectStore.Kind) throws(ManifestError) -> FluxObject {
        try ManifestDecoder.decode(object, strictFields: false, readAs: (apiVersion: version.apiVersion, kind: kind.rawValue))
    }
}
