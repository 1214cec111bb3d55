import HeraldCore
import HeraldJSON

/// Writes Flux events as build statuses on Bitbucket Server / Data Center (reference §4.7).
struct BitbucketServerNotifier: ProviderNotifier {
    /// `…/rest/api/latest/projects/{project}/repos/{repo}/commits`, keeping the address's scheme, host and context path.
    let commitsURL: String
    let addressQuery: String?
    let address: String
    let headers: [HTTPHeaderField]
    let providerUID: String

    init(settings: ProviderSettings) throws(ProviderError) {
        guard var parsed = WebAddress(settings.address) else {
            throw .invalidGitAddress("supplied provider address is not http(s) git clone url")
        }
        guard parsed.isHTTP else {
            throw .invalidGitAddress("unsupported scheme type in address: \(parsed.scheme). Must be http or https")
        }
        var path = parsed.path
        if path.hasSuffix(".git") { path.removeLast(4) }
        // The last `/scm/`, overlaps included (`/scm/scm/p/r` has its last one at offset 4).
        guard let start = path.indices.last(where: { path[$0...].hasPrefix("/scm/") }) else {
            throw .invalidGitAddress("supplied provider address is not http(s) git clone url")
        }
        let context = path[..<start]
        let id = path[path.index(start, offsetBy: 5)...]
        let parts = id.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .invalidGitAddress("invalid repository id \"\(id)\"") }
        parsed.path = "\(context)/rest/api/latest/projects/\(parts[0])/repos/\(parts[1])/commits"
        // Flux joins the path onto the address (its query stays on the write) and replaces the query on the read.
        addressQuery = parsed.query
        parsed.query = nil
        parsed.fragment = nil
        commitsURL = parsed.text
        address = settings.address
        let authorization: HTTPHeaderField
        if !settings.token.isEmpty {
            authorization = HTTPHeaderField("Authorization", "Bearer \(settings.token)", isSecret: true)
        } else if !settings.username.isEmpty, !settings.password.isEmpty,
            let basic = BasicOrBearer.basic(username: settings.username, password: settings.password)
        {
            authorization = basic
        } else {
            throw .invalidSetting("invalid credentials, expected to be one of username/password or API Token")
        }
        headers = [
            authorization, HTTPHeaderField("X-Atlassian-Token", "no-check"), HTTPHeaderField("X-Requested-With", "XMLHttpRequest"),
        ]
        providerUID = settings.provider.meta.uid
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        let update: CommitStatus.Update?
        do {
            update = try CommitStatus.update(for: event, context: context, providerUID: providerUID, info: "SUCCESSFUL", error: "FAILED")
        } catch .invalidSeverity {
            throw .invalidSetting(
                "couldn't convert to bitbucket server state: bitbucket server state generated on info or error events only")
        } catch .invalidRevision(let revision) {
            // Only Bitbucket Server wraps the revision error.
            throw .invalidSetting("could not parse revision: \(ProviderError.invalidRevision(revision))")
        }
        guard let update else { return .skip(reason: "commit statuses ignore Progressing events") }
        let key = CommitStatus.hashedKey(update.id)
        let name = "\(EventText.nameAndDescription(event).name) [\(update.description)]"
        let builds = "\(commitsURL)/\(update.sha)/builds"
        let read = OutgoingRequest(method: "GET", url: "\(builds)?key=\(key)", headers: headers)
        // Flux's json.Encoder ends the body with a newline.
        let write = OutgoingRequest(
            url: builds + (addressQuery.map { "?\($0)" } ?? ""), headers: headers + [HTTPHeaderField("Content-Type", "application/json")],
            body: JSONWriter.bytes([
                "description": .string(update.description), "key": .string(key), "name": .string(name), "state": .string(update.state),
                "url": .string(address),
            ]) + [UInt8(ascii: "\n")])
        let (state, description) = (update.state, update.description)
        return .exchange(
            CheckedWrite(
                read: read, write: write, readAccepts: [404],
                readFailure: { failure in
                    if failure.message.hasPrefix("could not unmarshal") {
                        return "could not get existing commit status: " + failure.message
                    }
                    return "could not get existing commit status: failed api call to check duplicate commit status: "
                        + CheckedWrite.statusLine(failure)
                },
                writeFailure: { "could not post build status: could not post build commit status: \(CheckedWrite.statusLine($0))" },
                validateRead: { response throws(DeliveryFailure) in
                    guard response.status == 200, (try? JSONParser.parse(response.body)) == nil else { return }
                    throw DeliveryFailure(
                        message: "could not unmarshal json response body for duplicate commit status: unexpected end of JSON input",
                        status: nil)
                }
            ) { response in
                guard response.status == 200, let existing = try? JSONParser.parse(response.body) else { return false }
                return existing["key"]?.stringValue == key && existing["state"]?.stringValue == state
                    && existing["description"]?.stringValue == description && existing["name"]?.stringValue == name
            })
    }
}
