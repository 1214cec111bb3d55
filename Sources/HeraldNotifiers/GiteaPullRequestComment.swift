import HeraldCore

/// Keeps one comment per object on the Gitea pull request named by `change_request` (reference §4.8).
struct GiteaPullRequestCommentNotifier: ProviderNotifier {
    let repository: GiteaRepository
    let providerUID: String

    init(settings: ProviderSettings) throws(ProviderError) {
        providerUID = try ChangeRequestComment.requireUID(settings)
        repository = try GiteaRepository(settings: settings)
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        let number = try ChangeRequestComment.number(event, parser: "strconv.Atoi")
        let marker = ChangeRequestComment.marker(prefix: "flux-pr-comment-key", providerUID: providerUID, event: event)
        let body = ChangeRequestComment.body(marker: marker, event: event, escapeHTML: true, newline: false)
        let base = repository.reposBase
        let repository = repository
        return .exchange(
            CommentUpsert(
                preflight: repository.versionRequest,
                checkPreflight: { response throws(DeliveryFailure) in try repository.checkVersion(response) },
                identity: OutgoingRequest(method: "GET", url: "\(repository.host)/api/v1/user", headers: repository.headers(json: false)),
                identityKey: "login",
                list: OutgoingRequest(
                    method: "GET", url: "\(base)/issues/\(number)/comments?limit=100&page=1", headers: repository.headers(json: false)),
                authorPath: ("user", "login"), marker: marker,
                create: OutgoingRequest(url: "\(base)/issues/\(number)/comments", headers: repository.headers(json: true), body: body),
                edit: { id in
                    OutgoingRequest(
                        method: "PATCH", url: "\(base)/issues/comments/\(id)", headers: repository.headers(json: true), body: body)
                },
                noun: "pull request comment"))
    }
}
