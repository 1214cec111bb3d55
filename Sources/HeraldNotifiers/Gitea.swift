import HeraldCore
import HeraldJSON

/// Writes Flux events as commit statuses on Gitea or Forgejo; `Progressing` becomes `pending` (reference §4.7).
struct GiteaNotifier: ProviderNotifier {
    let repository: GiteaRepository
    let providerUID: String

    init(settings: ProviderSettings) throws(ProviderError) {
        repository = try GiteaRepository(settings: settings)
        providerUID = settings.provider.meta.uid
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        let update = try CommitStatus.update(
            for: event, context: context, providerUID: providerUID, info: "success", error: "failure", progressing: "pending",
            severityError: "can't convert to gitea state")
        guard let update else { return .skip(reason: "unreachable: Gitea writes Progressing as pending") }
        let base = repository.reposBase
        let read = OutgoingRequest(
            method: "GET", url: "\(base)/commits/\(update.sha)/statuses?limit=50&page=1",
            headers: repository.headers(json: true))
        let write = OutgoingRequest(
            url: "\(base)/statuses/\(update.sha)", headers: repository.headers(json: true),
            body: JSONWriter.bytes([
                "state": .string(update.state), "target_url": "", "description": .string(update.description),
                "context": .string(update.id),
            ]))
        let (state, description, context) = (update.state, update.description, update.id)
        return .exchange(
            GiteaExchange(
                repository: repository,
                inner: CheckedWrite(read: read, write: write, writeFailure: { $0.message }) { response in
                    Self.isDuplicate(response.body, context: context, state: state, description: description)
                }))
    }

    /// The first listed status with this context (Gitea lists newest first) already says the same.
    /// Gitea returns the state under `status`; entries missing a field are passed over, as Flux does.
    static func isDuplicate(_ body: [UInt8], context: String, state: String, description: String) -> Bool {
        guard case .array(let statuses) = (try? JSONParser.parse(body)) ?? .null else { return false }
        for status in statuses {
            guard let existingContext = status["context"]?.stringValue, !existingContext.isEmpty,
                let existingState = status["status"]?.stringValue, !existingState.isEmpty,
                let existingDescription = status["description"]?.stringValue, !existingDescription.isEmpty
            else { continue }
            if existingContext == context { return existingState == state && existingDescription == description }
        }
        return false
    }
}

/// A Gitea repository: its API base, the `token` credential, and the version check Flux's SDK makes first.
struct GiteaRepository: Sendable {
    let host: String
    let owner: String
    let name: String
    let token: String

    init(settings: ProviderSettings) throws(ProviderError) {
        let credential = CommitStatus.credential(settings)
        guard !credential.isEmpty else { throw .missingToken("gitea token cannot be empty") }
        token = credential
        let address = try GitAddress(settings.address)
        let parts = address.id.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw .invalidRepository(address.id) }
        host = address.host.hasSuffix("/") ? String(address.host.dropLast()) : address.host
        owner = String(parts[0])
        name = String(parts[1])
    }

    var reposBase: String { "\(host)/api/v1/repos/\(pathEscape(owner))/\(pathEscape(name))" }

    /// `Authorization: token …`; the SDK sends `content-type: application/json` on its JSON calls, reads included.
    func headers(json: Bool) -> [HTTPHeaderField] {
        var headers = [HTTPHeaderField("Authorization", "token \(token)", isSecret: true)]
        if json { headers.append(HTTPHeaderField("Content-Type", "application/json")) }
        return headers
    }

    /// `GET /api/v1/version`, which the SDK sends before anything else.
    var versionRequest: OutgoingRequest { OutgoingRequest(method: "GET", url: "\(host)/api/v1/version", headers: headers(json: false)) }

    /// Refuses servers older than 1.11.0 or answers without a version, in the SDK's words.
    func checkVersion(_ response: ProviderResponse) throws(DeliveryFailure) {
        let version = ((try? JSONParser.parse(response.body))?["version"]?.stringValue) ?? ""
        let numbers = version.split(whereSeparator: { !$0.isNumber }).prefix(3).compactMap { Int($0) }
        guard numbers.count >= 2, let major = numbers.first else {
            throw DeliveryFailure(message: "failed creating Gitea client: unknown version: \(version)", status: response.status)
        }
        if major < 1 || (major == 1 && numbers[1] < 11) {
            throw DeliveryFailure(
                message: "failed creating Gitea client: gitea server at \(host) is older than 1.11.0", status: response.status)
        }
    }
}

/// The version check, then the wrapped exchange.
struct GiteaExchange: DeliveryExchange {
    let repository: GiteaRepository
    let inner: any DeliveryExchange

    var preview: [OutgoingRequest] { [repository.versionRequest] + inner.preview }

    func run(in session: any DeliverySession) async throws(DeliveryFailure) -> ExchangeResult {
        let version: ProviderResponse
        do {
            version = try await session.send(repository.versionRequest)
        } catch {
            var failure = error
            failure.message = "failed creating Gitea client: " + failure.message
            throw failure
        }
        try repository.checkVersion(version)
        return try await inner.run(in: session)
    }
}
