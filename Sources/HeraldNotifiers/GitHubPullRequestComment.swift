import HeraldCore

/// Keeps one comment per object on the GitHub pull request named by `change_request` (reference §4.8).
struct GitHubPullRequestCommentNotifier: ProviderNotifier {
    let repository: GitHubRepository
    let authentication: GitHubAuthentication
    let providerUID: String

    init(settings: ProviderSettings) throws(ProviderError) {
        providerUID = try ChangeRequestComment.requireUID(settings)
        authentication = try GitHubRepository.authentication(settings)
        repository = try GitHubRepository(address: settings.address)
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        switch authentication {
        case .token(let token):
            return try plan(for: event, token: token, identity: nil)
        case .app(let app):
            // An App comments as `<slug>[bot]`; Flux asks the App for its slug instead of calling /user.
            let preview = try plan(for: event, token: "<installation token>", identity: "<app slug>[bot]")
            return .exchange(
                GitHubAppExchange(
                    app: app,
                    plan: { token, session throws(DeliveryFailure) in
                        let identity = "\(try await app.slug(in: session))[bot]"
                        do throws(ProviderError) { return try plan(for: event, token: token, identity: identity) } catch {
                            throw DeliveryFailure(message: error.description)
                        }
                    }, previewPlan: preview))
        }
    }

    func plan(for event: Event, token: String, identity: String?) throws(ProviderError) -> DeliveryPlan {
        let number = try ChangeRequestComment.number(event, parser: "strconv.Atoi")
        let marker = ChangeRequestComment.marker(prefix: "flux-pr-comment-key", providerUID: providerUID, event: event)
        let body = ChangeRequestComment.body(marker: marker, event: event, escapeHTML: false, newline: true)
        let headers = repository.headers(token: token)
        let writeHeaders = headers + [HTTPHeaderField("Content-Type", "application/json")]
        let repo = "\(repository.apiBase)repos/\(repository.owner)/\(repository.name)"
        var listHeaders = headers
        listHeaders.removeAll { $0.name == "Accept" }
        listHeaders.insert(HTTPHeaderField("Accept", "application/vnd.github.squirrel-girl-preview"), at: 0)
        return .exchange(
            CommentUpsert(
                knownIdentity: identity,
                identity: OutgoingRequest(method: "GET", url: "\(repository.apiBase)user", headers: headers),
                identityKey: "login",
                list: OutgoingRequest(
                    method: "GET", url: "\(repo)/issues/\(number)/comments?direction=asc&per_page=100&sort=created", headers: listHeaders),
                authorPath: ("user", "login"), marker: marker,
                create: OutgoingRequest(
                    url: "\(repo)/issues/\(number)/comments", headers: writeHeaders, body: body, responseCheck: .githubAPI),
                edit: { id in
                    OutgoingRequest(
                        method: "PATCH", url: "\(repo)/issues/comments/\(id)", headers: writeHeaders, body: body, responseCheck: .githubAPI)
                },
                noun: "pull request comment"))
    }
}
