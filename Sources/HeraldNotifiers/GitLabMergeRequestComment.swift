import HeraldCore

/// Keeps one note per object on the GitLab merge request named by `change_request` (reference §4.8).
struct GitLabMergeRequestCommentNotifier: ProviderNotifier {
    let apiBase: String
    let projectID: String
    let token: String
    let providerUID: String

    init(settings: ProviderSettings) throws(ProviderError) {
        providerUID = try ChangeRequestComment.requireUID(settings)
        let credential = CommitStatus.credential(settings)
        guard !credential.isEmpty else { throw .missingToken("gitlab token cannot be empty") }
        token = credential
        let address = try GitAddress(settings.address)
        guard !address.id.isEmpty else { throw .invalidRepository(address.id) }
        apiBase = "\(address.host)/api/v4/"
        projectID = pathEscape(address.id)
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        let iid = try ChangeRequestComment.number(event, parser: "strconv.ParseInt")
        let marker = ChangeRequestComment.marker(prefix: "flux-mr-comment-key", providerUID: providerUID, event: event)
        let body = ChangeRequestComment.body(marker: marker, event: event, escapeHTML: true, newline: false)
        let headers = [HTTPHeaderField("PRIVATE-TOKEN", token, isSecret: true), HTTPHeaderField("Accept", "application/json")]
        let writeHeaders = headers + [HTTPHeaderField("Content-Type", "application/json")]
        let notes = "\(apiBase)projects/\(projectID)/merge_requests/\(iid)/notes"
        return .exchange(
            CommentUpsert(
                identity: OutgoingRequest(method: "GET", url: "\(apiBase)user", headers: headers),
                identityKey: "username",
                list: OutgoingRequest(method: "GET", url: "\(notes)?order_by=created_at&per_page=100&sort=asc", headers: headers),
                authorPath: ("author", "username"), marker: marker,
                create: OutgoingRequest(url: notes, headers: writeHeaders, body: body),
                edit: { id in OutgoingRequest(method: "PUT", url: "\(notes)/\(id)", headers: writeHeaders, body: body) },
                noun: "merge request note"))
    }
}
