import HeraldCore
import HeraldJSON

/// Flux's change-request comment: one comment per object and Provider, edited in place on every event (reference §4.8).
///
/// Finds who the credential belongs to, lists the first 100 comments oldest first, and edits the
/// first one that identity wrote containing the marker; otherwise creates a new comment.
struct CommentUpsert: DeliveryExchange {
    /// Requests made before anything else (Gitea's version check), each validated by `check`.
    var preflight: OutgoingRequest?
    var checkPreflight: (@Sendable (ProviderResponse) throws(DeliveryFailure) -> Void)?
    /// The author's login when it is known without asking (a GitHub App's `<slug>[bot]`).
    var knownIdentity: String?
    var identity: OutgoingRequest
    /// The key of the identity response naming the user (`login`, GitLab's `username`).
    var identityKey: String
    var list: OutgoingRequest
    /// Where a listed comment names its author: `user.login`, GitLab's `author.username`.
    var authorPath: (object: String, key: String)
    var marker: String
    var create: OutgoingRequest
    var edit: @Sendable (_ commentID: String) -> OutgoingRequest
    /// `pull request comment` or `merge request note`, for Flux's error wording.
    var noun: String

    var preview: [OutgoingRequest] { (preflight.map { [$0] } ?? []) + (knownIdentity == nil ? [identity] : []) + [list, create] }

    func run(in session: any DeliverySession) async throws(DeliveryFailure) -> ExchangeResult {
        if let preflight {
            do {
                let response = try await session.send(preflight)
                try checkPreflight?(response)
            } catch {
                var failure = error
                if !failure.message.hasPrefix("failed creating Gitea client") {
                    failure.message = "failed creating Gitea client: " + failure.message
                }
                throw failure
            }
        }
        let login: String
        if let knownIdentity {
            login = knownIdentity
        } else {
            login = try await lookUpIdentity(session)
        }
        let listed = try await step("failed to list \(noun)s") { () async throws(DeliveryFailure) in try await session.send(list) }
        if let id = Self.existingComment(in: listed.body, author: login, authorPath: authorPath, marker: marker) {
            let response = try await step("failed to update \(noun)") { () async throws(DeliveryFailure) in
                try await session.send(edit(id))
            }
            return .written(status: response.status)
        }
        let response = try await step("failed to create \(noun)") { () async throws(DeliveryFailure) in try await session.send(create) }
        return .written(status: response.status)
    }

    private func lookUpIdentity(_ session: any DeliverySession) async throws(DeliveryFailure) -> String {
        let user = try await step("failed to get authenticated user info") { () async throws(DeliveryFailure) in
            try await session.send(identity)
        }
        guard let login = (try? JSONParser.parse(user.body))?[identityKey]?.stringValue, !login.isEmpty else {
            throw DeliveryFailure(
                message: "failed to get authenticated user info: the response names no \(identityKey)", status: user.status)
        }
        return login
    }

    private func step(
        _ context: String, _ body: () async throws(DeliveryFailure) -> ProviderResponse
    ) async throws(DeliveryFailure) -> ProviderResponse {
        do {
            return try await body()
        } catch {
            var failure = error
            failure.message = "\(context): \(failure.message)"
            throw failure
        }
    }

    /// The id of the first comment by `author` whose body contains the marker.
    static func existingComment(in body: [UInt8], author: String, authorPath: (object: String, key: String), marker: String) -> String? {
        guard case .array(let comments) = (try? JSONParser.parse(body)) ?? .null else { return nil }
        for comment in comments {
            guard comment[authorPath.object]?[authorPath.key]?.stringValue == author,
                comment["body"]?.stringValue?.contains(marker) == true
            else { continue }
            switch comment["id"] {
            case .number(let id): return id
            case .string(let id): return id
            default: continue
            }
        }
        return nil
    }
}

/// What the three comment providers share: the change request number, the marker and the body.
enum ChangeRequestComment {
    /// The pull/merge request number from the `change_request` metadata, with Flux's parse errors.
    static func number(_ event: Event, parser: String) throws(ProviderError) -> Int {
        guard let value = event.metadata["change_request"] else { throw .invalidSetting("missing \"change_request\" metadata key") }
        guard let number = Int(value) else {
            throw .invalidSetting("invalid \"change_request\" metadata value \"\(value)\": \(parser): parsing \"\(value)\": invalid syntax")
        }
        return number
    }

    /// `<!-- <prefix>:<providerUID>/<Kind>/<namespace>/<name> -->`.
    static func marker(prefix: String, providerUID: String, event: Event) -> String {
        let object = event.involvedObject
        return "<!-- \(prefix):\(providerUID)/\(object.kind)/\(object.namespace)/\(object.name) -->"
    }

    /// `{"body": marker + blank line + the Markdown post}`, HTML-escaped or not as the provider's client encodes.
    static func body(marker: String, event: Event, escapeHTML: Bool, newline: Bool) -> [UInt8] {
        JSONWriter.bytes(["body": .string("\(marker)\n\n\(MarkdownPost.text(for: event))")], escapeHTML: escapeHTML)
            + (newline ? [UInt8(ascii: "\n")] : [])
    }

    static func requireUID(_ settings: ProviderSettings) throws(ProviderError) -> String {
        guard !settings.provider.meta.uid.isEmpty else { throw .invalidSetting("provider UID cannot be empty") }
        return settings.provider.meta.uid
    }
}
