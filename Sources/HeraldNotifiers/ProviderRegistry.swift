import HeraldCore

/// The settings of a Provider a type reads (reference §4.0 matrix); the others are ignored.
public struct ProviderSettingKinds: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let address = ProviderSettingKinds(rawValue: 1 << 0)
    public static let channel = ProviderSettingKinds(rawValue: 1 << 1)
    public static let username = ProviderSettingKinds(rawValue: 1 << 2)
    public static let token = ProviderSettingKinds(rawValue: 1 << 3)
    public static let headers = ProviderSettingKinds(rawValue: 1 << 4)
    /// `spec.proxy`, the Secret's `proxy` and `proxySecretRef`.
    public static let proxy = ProviderSettingKinds(rawValue: 1 << 5)
    /// `certSecretRef` (and, for commit statuses, TLS keys in the main Secret).
    public static let tls = ProviderSettingKinds(rawValue: 1 << 6)
}

/// One provider type: how to build its notifier and which settings it honours.
public struct ProviderEntry: Sendable {
    public let honours: ProviderSettingKinds
    let make: @Sendable (ProviderSettings) throws(ProviderError) -> (any Notifier, TransportOptions)
    /// Transport rules the matrix cannot say with a flag (GitHub: TLS for Enterprise hosts only).
    let refine: (@Sendable (inout ProviderSettings) -> Void)?

    init<Type: ProviderNotifier>(
        _ type: Type.Type, honours: ProviderSettingKinds, refine: (@Sendable (inout ProviderSettings) -> Void)? = nil
    ) {
        self.honours = honours
        self.refine = refine
        make = { (settings: ProviderSettings) throws(ProviderError) -> (any Notifier, TransportOptions) in
            let notifier = try Type(settings: settings)
            return (notifier, notifier.transport(settings.transport))
        }
    }

    /// Drops the proxy and TLS settings this type does not honour, as Flux silently does.
    func restrictTransport(_ settings: inout ProviderSettings) {
        if !honours.contains(.proxy) { settings.transport.proxy = nil }
        if !honours.contains(.tls) { settings.transport.tls = nil }
        refine?(&settings)
    }
}

/// Every provider type Herald renders, in one table: adding a simple provider is one file and one row.
public enum ProviderRegistry {
    public static let entries: [ProviderType: ProviderEntry] = [
        // Webhooks
        .generic: ProviderEntry(GenericNotifier.self, honours: [.address, .headers, .proxy, .tls]),
        .genericHMAC: ProviderEntry(GenericHMACNotifier.self, honours: [.address, .token, .headers, .proxy, .tls]),
        // Chat
        .slack: ProviderEntry(SlackNotifier.self, honours: [.address, .channel, .username, .token, .proxy, .tls]),
        .discord: ProviderEntry(DiscordNotifier.self, honours: [.address, .username, .proxy]),
        .rocket: ProviderEntry(RocketNotifier.self, honours: [.address, .channel, .username, .proxy, .tls]),
        .msteams: ProviderEntry(MSTeamsNotifier.self, honours: [.address, .proxy, .tls]),
        .googleChat: ProviderEntry(GoogleChatNotifier.self, honours: [.address, .proxy]),
        .webex: ProviderEntry(WebexNotifier.self, honours: [.address, .channel, .token, .proxy, .tls]),
        .telegram: ProviderEntry(TelegramNotifier.self, honours: [.channel, .token, .proxy]),
        .lark: ProviderEntry(LarkNotifier.self, honours: [.address]),
        .matrix: ProviderEntry(MatrixNotifier.self, honours: [.address, .channel, .token, .tls]),
        .zulip: ProviderEntry(ZulipNotifier.self, honours: [.address, .channel, .username, .proxy, .tls]),
        .zoom: ProviderEntry(ZoomNotifier.self, honours: [.address, .token, .proxy, .tls]),
        // Incidents and observability
        .opsgenie: ProviderEntry(OpsgenieNotifier.self, honours: [.address, .token, .proxy, .tls]),
        .pagerDuty: ProviderEntry(PagerDutyNotifier.self, honours: [.address, .channel, .proxy, .tls]),
        .alertmanager: ProviderEntry(AlertmanagerNotifier.self, honours: [.address, .username, .token, .proxy, .tls]),
        .grafana: ProviderEntry(GrafanaNotifier.self, honours: [.address, .username, .token, .proxy, .tls]),
        .datadog: ProviderEntry(DatadogNotifier.self, honours: [.address, .token, .proxy, .tls]),
        .incidentIO: ProviderEntry(IncidentIONotifier.self, honours: [.address, .token, .proxy, .tls]),
        .sentry: ProviderEntry(SentryNotifier.self, honours: [.address, .channel, .tls]),
        .otel: ProviderEntry(OTelNotifier.self, honours: [.address, .username, .token, .headers, .proxy, .tls]),
        // Git commit statuses (reference §4.7)
        .github: ProviderEntry(GitHubNotifier.self, honours: [.address, .token, .tls], refine: GitHubNotifier.dropPublicTLS),
        .gitlab: ProviderEntry(GitLabNotifier.self, honours: [.address, .token, .tls]),
        .gitea: ProviderEntry(GiteaNotifier.self, honours: [.address, .token, .proxy, .tls]),
        .bitbucket: ProviderEntry(BitbucketNotifier.self, honours: [.address, .token, .tls]),
        .bitbucketServer: ProviderEntry(BitbucketServerNotifier.self, honours: [.address, .username, .token, .tls]),
        .azureDevOps: ProviderEntry(AzureDevOpsNotifier.self, honours: [.address, .token, .tls]),
        // Change-request comments and dispatch (§4.8, §4.9)
        .githubPullRequestComment: ProviderEntry(
            GitHubPullRequestCommentNotifier.self, honours: [.address, .token, .tls], refine: GitHubNotifier.dropPublicTLS),
        .gitlabMergeRequestComment: ProviderEntry(GitLabMergeRequestCommentNotifier.self, honours: [.address, .token, .tls]),
        .giteaPullRequestComment: ProviderEntry(GiteaPullRequestCommentNotifier.self, honours: [.address, .token, .proxy, .tls]),
        .githubDispatch: ProviderEntry(
            GitHubDispatchNotifier.self, honours: [.address, .token, .tls], refine: GitHubNotifier.dropPublicTLS),
        // Message buses and cloud queues
        .nats: ProviderEntry(NATSNotifier.self, honours: [.address, .channel, .username, .token, .tls]),
        .googlePubSub: ProviderEntry(GooglePubSubNotifier.self, honours: [.address, .channel, .token, .headers]),
        .azureEventHub: ProviderEntry(AzureEventHubNotifier.self, honours: [.address, .channel, .token, .tls]),
    ]
}
