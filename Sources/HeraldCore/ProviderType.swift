/// Every `Provider.spec.type` the Flux CRDs have accepted, with the routing families reference §3.3 uses.
public enum ProviderType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case slack, discord, msteams, rocket, generic
    case genericHMAC = "generic-hmac"
    case github, gitlab, gitea
    case giteaPullRequestComment = "giteapullrequestcomment"
    case bitbucketServer = "bitbucketserver"
    case bitbucket
    case azureDevOps = "azuredevops"
    case googleChat = "googlechat"
    case googlePubSub = "googlepubsub"
    case webex, sentry
    case azureEventHub = "azureeventhub"
    case telegram, lark, matrix, opsgenie, alertmanager, grafana
    case githubDispatch = "githubdispatch"
    case githubPullRequestComment = "githubpullrequestcomment"
    case gitlabMergeRequestComment = "gitlabmergerequestcomment"
    case pagerDuty = "pagerduty"
    case datadog, nats, zulip, otel, zoom
    case incidentIO = "incident.io"

    public var description: String { rawValue }

    /// Git commit-status providers: they receive commit-status updates, commits and errors only.
    public var isCommitStatus: Bool {
        switch self {
        case .github, .gitlab, .gitea, .bitbucketServer, .bitbucket, .azureDevOps: true
        default: false
        }
    }

    /// Providers that comment on a pull or merge request named by `change_request` metadata.
    public var isChangeRequest: Bool {
        switch self {
        case .githubPullRequestComment, .gitlabMergeRequestComment, .giteaPullRequestComment: true
        default: false
        }
    }

    /// Providers that receive kustomize-controller's commit-status update events.
    public var acceptsCommitStatusUpdates: Bool { isCommitStatus || self == .generic || self == .genericHMAC }
}
