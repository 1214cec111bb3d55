import HeraldCore
import HeraldJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Writes Flux events as build statuses on Bitbucket Cloud (reference §4.7, §10).
struct BitbucketNotifier: ProviderNotifier {
    /// The API Flux's SDK uses, unless `BITBUCKET_API_BASE_URL` names another (as the SDK honours).
    static let defaultBase = "https://api.bitbucket.org/2.0"

    let base: String
    let owner: String
    let repository: String
    let authorization: HTTPHeaderField
    let providerUID: String

    init(settings: ProviderSettings) throws(ProviderError) {
        guard !settings.token.isEmpty else { throw .missingToken("bitbucket token cannot be empty") }
        let address = try GitAddress(settings.address)
        let credentials = settings.token.split(separator: ":", omittingEmptySubsequences: false)
        guard credentials.count == 2 else { throw .invalidSetting("invalid token format, expected to be <user>:<password>") }
        let parts = address.id.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .invalidRepository(address.id) }
        owner = String(parts[0])
        repository = String(parts[1])
        authorization = HTTPHeaderField(
            "Authorization", "Basic \(Base64.encode(Array("\(credentials[0]):\(credentials[1])".utf8)))", isSecret: true)
        base = Self.environmentBase ?? Self.defaultBase
        providerUID = settings.provider.meta.uid
    }

    static var environmentBase: String? {
        guard let value = getenv("BITBUCKET_API_BASE_URL") else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        guard
            let update = try CommitStatus.update(
                for: event, context: context, providerUID: providerUID, info: "SUCCESSFUL", error: "FAILED",
                severityError: "can't convert to bitbucket state")
        else {
            return .skip(reason: "commit statuses ignore Progressing events")
        }
        let key = CommitStatus.hashedKey(update.id)
        let statuses = "\(base)/repositories/\(owner)/\(repository)/commit/\(update.sha)/statuses/build"
        let read = OutgoingRequest(method: "GET", url: "\(statuses)/\(key)", headers: [authorization])
        let write = OutgoingRequest(
            url: statuses, headers: [authorization, HTTPHeaderField("Content-Type", "application/json")],
            body: JSONWriter.bytes([
                "key": .string(key), "url": "https://bitbucket.org", "state": .string(update.state),
                "name": .string(EventText.nameAndDescription(event).name), "description": .string(update.description),
            ]))
        let (state, description) = (update.state, update.description)
        // A 404 means no status for this key yet; Flux compares only state and description.
        return .exchange(
            CheckedWrite(
                read: read, write: write, readAccepts: [404], readFailure: { "could not get commit status: " + $0.message },
                writeFailure: { $0.message }
            ) { response in
                guard response.status != 404, let existing = try? JSONParser.parse(response.body) else { return false }
                return existing["state"]?.stringValue == state && existing["description"]?.stringValue == description
            })
    }
}
