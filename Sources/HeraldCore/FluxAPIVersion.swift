/// The `notification.toolkit.fluxcd.io` versions of Alert and Provider that have ever been served.
///
/// Herald decodes every one of them into the same model; what differs is validation (reference §2).
public enum FluxAPIVersion: String, Sendable, Hashable, CaseIterable, Comparable {
    case v1beta1
    case v1beta2
    case v1beta3

    public static let group = "notification.toolkit.fluxcd.io"

    /// `notification.toolkit.fluxcd.io/<version>`.
    public var apiVersion: String { "\(FluxAPIVersion.group)/\(rawValue)" }

    public init?(apiVersion: String) {
        guard apiVersion.hasPrefix(FluxAPIVersion.group + "/") else { return nil }
        self.init(rawValue: String(apiVersion.dropFirst(FluxAPIVersion.group.count + 1)))
    }

    /// Whether Alerts and Providers of this version have a status subresource.
    public var hasStatus: Bool { self != .v1beta3 }

    public static func < (lhs: FluxAPIVersion, rhs: FluxAPIVersion) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }

    /// Kinds an Alert's event source may name in this version.
    public var eventSourceKinds: [String] {
        let first10 = [
            "Bucket", "GitRepository", "Kustomization", "HelmRelease", "HelmChart", "HelmRepository",
            "ImageRepository", "ImagePolicy", "ImageUpdateAutomation", "OCIRepository",
        ]
        return self == .v1beta1 ? first10 : first10 + ["ArtifactGenerator", "ExternalArtifact"]
    }

    /// Maximum length of an event source's name and namespace.
    public var eventSourceNameMaxLength: Int { self == .v1beta1 ? 53 : 253 }

    /// Provider types this version's CRD enum accepts.
    public var providerTypes: [ProviderType] {
        switch self {
        case .v1beta1:
            [
                .slack, .discord, .msteams, .rocket, .generic, .genericHMAC, .github, .gitlab, .bitbucket,
                .azureDevOps, .googleChat, .webex, .sentry, .azureEventHub, .telegram, .lark, .matrix, .opsgenie,
                .alertmanager, .grafana, .githubDispatch,
            ]
        case .v1beta2:
            FluxAPIVersion.v1beta1.providerTypes + [.gitea, .bitbucketServer, .googlePubSub, .pagerDuty, .datadog]
        case .v1beta3:
            ProviderType.allCases
        }
    }

    /// Spec fields of an Alert in this version.
    public var alertSpecFields: Set<String> {
        let common: Set<String> = ["providerRef", "eventSeverity", "eventSources", "exclusionList", "summary", "suspend"]
        return self == .v1beta1 ? common : common.union(["inclusionList", "eventMetadata"])
    }

    /// Spec fields of a Provider in this version.
    public var providerSpecFields: Set<String> {
        let v1beta1: Set<String> = [
            "type", "channel", "username", "address", "timeout", "proxy", "secretRef", "certSecretRef", "suspend",
        ]
        switch self {
        case .v1beta1: return v1beta1
        case .v1beta2: return v1beta1.union(["interval"])
        case .v1beta3: return v1beta1.union(["interval", "proxySecretRef", "serviceAccountName", "commitStatusExpr"])
        }
    }
}
