import HeraldCore
import HeraldJSON

/// Writes Flux events as commit statuses on github.com or GitHub Enterprise, skipping duplicates.
struct GitHubNotifier: ProviderNotifier {
    let repository: GitHubRepository
    let authentication: GitHubAuthentication
    let providerUID: String

    init(settings: ProviderSettings) throws(ProviderError) {
        authentication = try GitHubRepository.authentication(settings)
        repository = try GitHubRepository(address: settings.address)
        providerUID = settings.provider.meta.uid
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        try authentication.plan { token throws(ProviderError) in try plan(for: event, context: context, token: token) }
    }

    func plan(for event: Event, context: RenderContext, token: String) throws(ProviderError) -> DeliveryPlan {
        guard
            let update = try CommitStatus.update(for: event, context: context, providerUID: providerUID, info: "success", error: "failure")
        else {
            return .skip(reason: "commit statuses ignore Progressing events")
        }
        let (sha, state, description, context) = (update.sha, update.state, update.description, update.id)

        let headers = repository.headers(token: token)
        let (apiBase, owner, repository) = (repository.apiBase, repository.owner, repository.name)
        let write = OutgoingRequest(
            url: "\(apiBase)repos/\(owner)/\(repository)/statuses/\(sha)",
            headers: headers + [HTTPHeaderField("Content-Type", "application/json")],
            // go-github's encoder: no HTML escaping, and a newline after the object.
            body: JSONWriter.bytes(
                ["state": .string(state), "description": .string(description), "context": .string(context)], escapeHTML: false)
                + [UInt8(ascii: "\n")],
            responseCheck: .githubAPI
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

/// A GitHub repository and the API that serves it: api.github.com for github.com, `<host>/api/v3/` for Enterprise.
struct GitHubRepository: Sendable {
    let apiBase: String
    let owner: String
    let name: String

    init(address text: String) throws(ProviderError) {
        let address = try GitAddress(text)
        let parts = address.id.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw .invalidRepository(address.id) }
        owner = String(parts[0])
        name = String(parts[1])
        let host = WebAddress(address.host)?.host.lowercased() ?? ""
        if host == "github.com" {
            apiBase = "https://api.github.com/"
        } else if host.hasPrefix("api.") || host.contains(".api.") {
            // go-github's WithEnterpriseURLs adds /api/v3/ only to hosts that are not already an API host.
            apiBase = "\(address.host)/"
        } else {
            apiBase = "\(address.host)/api/v3/"
        }
    }

    /// The headers every GitHub API call of Flux's go-github client carries.
    func headers(token: String) -> [HTTPHeaderField] {
        [
            HTTPHeaderField("Accept", "application/vnd.github.v3+json"),
            HTTPHeaderField("X-GitHub-Api-Version", "2022-11-28"),
            HTTPHeaderField("Authorization", "Bearer \(token)", isSecret: true),
        ]
    }

    /// The Secret's token, else its password, else the GitHub App its keys describe.
    static func authentication(_ settings: ProviderSettings) throws(ProviderError) -> GitHubAuthentication {
        let credential = settings.token.isEmpty ? settings.password : settings.token
        if !credential.isEmpty { return .token(credential) }
        if settings.hasGitHubAppKeys { return .app(try GitHubApp(secret: settings.secret)) }
        throw .missingToken("github token or github app details must be specified")
    }
}

extension ProviderSettings {
    /// Whether the Secret names a GitHub App.
    var hasGitHubAppKeys: Bool { secret.contains("githubAppID") }
}

/// How a GitHub-family notifier authenticates.
enum GitHubAuthentication: Sendable {
    case token(String)
    case app(GitHubApp)

    /// The plan for a known token, or an exchange that obtains an installation token first.
    func plan(_ build: @escaping @Sendable (_ token: String) throws(ProviderError) -> DeliveryPlan) throws(ProviderError) -> DeliveryPlan {
        switch self {
        case .token(let token):
            return try build(token)
        case .app(let app):
            let preview = try build("<installation token>")
            if case .skip = preview { return preview }
            return .exchange(
                GitHubAppExchange(
                    app: app,
                    plan: { token, _ throws(DeliveryFailure) in
                        do throws(ProviderError) { return try build(token) } catch { throw DeliveryFailure(message: error.description) }
                    }, previewPlan: preview))
        }
    }
}
