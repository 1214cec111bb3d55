import HeraldCore
import HeraldJSON

/// Writes Flux events as commit statuses on GitLab (nested groups and numeric ids), skipping duplicates.
struct GitLabNotifier: ProviderNotifier {
    let apiBase: String
    let projectID: String
    let token: String
    let providerUID: String

    init(settings: ProviderSettings) throws(ProviderError) {
        let address = try GitAddress(settings.address)
        guard !address.id.isEmpty else { throw .invalidRepository(address.id) }
        apiBase = "\(address.host)/api/v4/"
        projectID = pathEscape(address.id)
        let credential = settings.token.isEmpty ? settings.password : settings.token
        guard !credential.isEmpty else { throw .missingToken("gitlab token cannot be empty") }
        token = credential
        providerUID = settings.provider.meta.uid
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        guard let update = try CommitStatus.update(for: event, context: context, providerUID: providerUID, info: "success", error: "failed")
        else {
            return .skip(reason: "commit statuses ignore Progressing events")
        }
        let (sha, state, description, name) = (update.sha, update.state, update.description, update.id)

        let auth = HTTPHeaderField("PRIVATE-TOKEN", token, isSecret: true)
        let write = OutgoingRequest(
            url: "\(apiBase)projects/\(projectID)/statuses/\(sha)",
            headers: [HTTPHeaderField("Content-Type", "application/json"), auth],
            // go-gitlab encodes with json.Marshal: HTML characters escaped, no trailing newline.
            body: JSONWriter.bytes(["state": .string(state), "name": .string(name), "description": .string(description)])
        )
        let read = OutgoingRequest(
            method: "GET", url: "\(apiBase)projects/\(projectID)/repository/commits/\(sha)/statuses?name=\(queryEscape(name))",
            headers: [auth])
        return .exchange(
            CheckedWrite(read: read, write: write) { response in
                Self.isDuplicate(response.body, sha: sha, name: name, state: state, description: description)
            })
    }

    /// Any listed status with the same sha, state, description and name.
    static func isDuplicate(_ body: [UInt8], sha: String, name: String, state: String, description: String) -> Bool {
        guard case .array(let statuses) = (try? JSONParser.parse(body)) ?? .null else { return false }
        return statuses.contains { status in
            status["sha"]?.stringValue == sha && status["status"]?.stringValue == state
                && status["description"]?.stringValue == description && status["name"]?.stringValue == name
        }
    }
}
