import HeraldCore
import HeraldJSON

/// Writes Flux events as commit statuses on github.com or GitHub Enterprise, skipping duplicates.
struct GitHubNotifier: ProviderNotifier {
    let apiBase: String
    let owner: String
    let repository: String
    let token: String
    let providerUID: String

    init(settings: ProviderSettings) throws(ProviderError) {
        let address = try GitAddress(settings.address)
        let parts = address.id.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw .invalidRepository(address.id) }
        owner = String(parts[0])
        repository = String(parts[1])
        apiBase = WebAddress(address.host)?.host.lowercased() == "github.com" ? "https://api.github.com/" : "\(address.host)/api/v3/"
        let credential = settings.token.isEmpty ? settings.password : settings.token
        guard !credential.isEmpty else {
            if settings.hasGitHubAppKeys {
                throw .unsupportedAuth("GitHub App authentication is not supported by Herald yet; use a token")
            }
            throw .missingToken("github token or github app details must be specified")
        }
        token = credential
        providerUID = settings.provider.meta.uid
    }

    func plan(for event: Event) throws(ProviderError) -> DeliveryPlan {
        guard let update = try CommitStatus.update(for: event, providerUID: providerUID, info: "success", error: "failure") else {
            return .skip(reason: "commit statuses ignore Progressing events")
        }
        let (sha, state, description, context) = (update.sha, update.state, update.description, update.id)

        let headers = [
            HTTPHeaderField("Accept", "application/vnd.github.v3+json"),
            HTTPHeaderField("X-GitHub-Api-Version", "2022-11-28"),
            HTTPHeaderField("Authorization", "Bearer \(token)", isSecret: true),
        ]
        let write = OutgoingRequest(
            url: "\(apiBase)repos/\(owner)/\(repository)/statuses/\(sha)",
            headers: headers + [HTTPHeaderField("Content-Type", "application/json")],
            body: JSONWriter.bytes(
                ["state": .string(state), "description": .string(description), "context": .string(context)], escapeHTML: false)
        )
        let read = OutgoingRequest(
            method: "GET", url: "\(apiBase)repos/\(owner)/\(repository)/commits/\(sha)/statuses?per_page=50", headers: headers)
        return .exchange(
            CheckedWrite(read: read, write: write) { response in
                Self.isDuplicate(response.body, context: context, state: state, description: description)
            })
    }

    /// github.com is reached with the system roots; a CA or client certificate applies to Enterprise hosts only.
    static func dropPublicTLS(_ settings: inout ProviderSettings) {
        if let host = try? GitAddress(settings.address).host, WebAddress(host)?.host.lowercased() == "github.com" {
            settings.transport.tls = nil
        }
    }

    /// The newest status with this context (GitHub lists newest first) already says the same.
    static func isDuplicate(_ body: [UInt8], context: String, state: String, description: String) -> Bool {
        guard case .array(let statuses) = (try? JSONParser.parse(body)) ?? .null else { return false }
        for status in statuses {
            guard let existingContext = status["context"]?.stringValue, let existingState = status["state"]?.stringValue,
                let existingDescription = status["description"]?.stringValue
            else { continue }
            if existingContext == context { return existingState == state && existingDescription == description }
        }
        return false
    }
}

extension ProviderSettings {
    /// Whether the Secret names a GitHub App, which Herald cannot authenticate as yet.
    var hasGitHubAppKeys: Bool { secretKeyNames.contains("githubAppID") }
}
