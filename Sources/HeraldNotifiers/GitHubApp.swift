import CryptoExtras
import HeraldCore
import HeraldJSON

/// GitHub App authentication (fluxcd/pkg `auth/githubapp`): a JWT signed with the App's key buys an
/// installation token, cached until shortly before it expires and fetched again after a 401.
final class GitHubApp: Sendable {
    let appID: String
    let installationID: String?
    let installationOwner: String?
    let baseURL: String
    private let key: _RSA.Signing.PrivateKey
    private let cache = CachedToken()

    /// Reads the App keys of the Secret, with Flux's messages for what is missing.
    init(secret: SecretAccess) throws(ProviderError) {
        let id = secret.value("githubAppID") ?? ""
        guard let number = Int64(id), number != 0 else {
            throw .invalidSetting("app ID must be provided to use github app authentication")
        }
        appID = String(number)
        // Flux parses the id as an int64; a value that does not parse counts as not given.
        let installation = (secret.value("githubAppInstallationID")).flatMap { Int64($0) }.map { $0 == 0 ? "" : String($0) } ?? ""
        let owner = secret.value("githubAppInstallationOwner") ?? ""
        switch (installation.isEmpty, owner.isEmpty) {
        case (true, true):
            throw .invalidSetting("app installation owner or ID must be provided to use github app authentication")
        case (false, false):
            throw .invalidSetting("only one of app installation owner or ID must be provided to use github app authentication")
        default:
            installationID = installation.isEmpty ? nil : installation
            installationOwner = owner.isEmpty ? nil : owner
        }
        let pem = secret.value("githubAppPrivateKey") ?? ""
        guard !pem.isEmpty else { throw .invalidSetting("private key must be provided to use github app authentication") }
        do {
            key = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        } catch {
            // The library's error never contains the key.
            throw .invalidSetting("could not parse private key: \(error)")
        }
        var base = secret.value("githubAppBaseURL") ?? ""
        if base.isEmpty { base = "https://api.github.com/" }
        if !base.hasSuffix("/") { base += "/" }
        baseURL = base
    }

    /// The App JWT: issued 30 s in the past for clock drift, valid two minutes, issuer the App id.
    func jwt(now: Double) throws(DeliveryFailure) -> String {
        let issuedAt = Int(now) - 30
        do {
            return try JSONWebToken.rs256(
                claims: ["iss": .string(appID), "exp": .integer(issuedAt + 120), "iat": .integer(issuedAt)], key: key)
        } catch {
            throw DeliveryFailure(message: "failed to sign the GitHub App JWT: \(error)")
        }
    }

    func headers(bearer: String) -> [HTTPHeaderField] {
        [
            HTTPHeaderField("Accept", "application/vnd.github.v3+json"), HTTPHeaderField("X-GitHub-Api-Version", "2022-11-28"),
            HTTPHeaderField("Authorization", "Bearer \(bearer)", isSecret: true),
        ]
    }

    /// The requests a token fetch makes, for dry-run: the installation lookup when only the owner is known.
    var previewRequests: [OutgoingRequest] {
        var requests: [OutgoingRequest] = []
        if let installationOwner {
            requests.append(
                OutgoingRequest(
                    method: "GET", url: "\(baseURL)orgs/\(installationOwner)/installation", headers: headers(bearer: "<app jwt>")))
        }
        requests.append(tokenRequest(installation: installationID ?? "<installation id>", jwt: "<app jwt>"))
        return requests
    }

    func tokenRequest(installation: String, jwt: String) -> OutgoingRequest {
        OutgoingRequest(
            url: "\(baseURL)app/installations/\(installation)/access_tokens",
            headers: headers(bearer: jwt) + [HTTPHeaderField("Content-Type", "application/json")], body: Array("null\n".utf8))
    }

    /// A cached installation token, or a new one.
    func token(in session: any DeliverySession) async throws(DeliveryFailure) -> String {
        let now = session.now
        if let cached = cache.current(now: now) {
            session.conceal(cached)
            return cached
        }
        let jwt = try jwt(now: now)
        var installation = installationID
        if installation == nil, let owner = installationOwner {
            installation = try await lookUpInstallation(owner: owner, jwt: jwt, session: session)
        }
        let response = try await session.send(tokenRequest(installation: installation ?? "", jwt: jwt))
        guard let body = try? JSONParser.parse(response.body), let token = body["token"]?.stringValue, !token.isEmpty else {
            throw DeliveryFailure(
                message: "failed to get the GitHub App installation token: the response has no token", status: response.status)
        }
        let expiry =
            body["expires_at"]?.stringValue.flatMap { FluxTimestamp(rfc3339: $0) }.map { Double($0.secondsSinceEpoch) } ?? now + 3600
        cache.store(token, expiresAt: expiry, now: now)
        session.conceal(token)
        return token
    }

    /// The App's slug, for the `<slug>[bot]` identity of comments.
    func slug(in session: any DeliverySession) async throws(DeliveryFailure) -> String {
        let response = try await session.send(
            OutgoingRequest(method: "GET", url: "\(baseURL)app", headers: headers(bearer: try jwt(now: session.now))))
        guard let slug = (try? JSONParser.parse(response.body))?["slug"]?.stringValue else {
            throw DeliveryFailure(message: "failed to get app information: the response has no slug", status: response.status)
        }
        return slug
    }

    /// Forgets the token: the API answered 401, so it was revoked or expired early.
    func invalidate() { cache.invalidate() }

    private func lookUpInstallation(owner: String, jwt: String, session: any DeliverySession) async throws(DeliveryFailure) -> String {
        var failures: [String] = []
        for (kind, path) in [("organization", "orgs"), ("user", "users")] {
            do {
                let response = try await session.send(
                    OutgoingRequest(method: "GET", url: "\(baseURL)\(path)/\(owner)/installation", headers: headers(bearer: jwt)))
                if case .number(let id) = (try? JSONParser.parse(response.body))?["id"] ?? .null { return id }
                failures.append("failed to find \(kind) installation: the response has no id")
            } catch {
                failures.append("failed to find \(kind) installation: \(error.message)")
            }
        }
        throw DeliveryFailure(message: failures.joined(separator: "\n"))
    }
}

/// Runs a GitHub plan with an App installation token, fetching one first and once more after a 401.
struct GitHubAppExchange: DeliveryExchange {
    let app: GitHubApp
    /// The plan for a given token (with the comment identity when the notifier needs it).
    let plan: @Sendable (_ token: String, _ session: any DeliverySession) async throws(DeliveryFailure) -> DeliveryPlan
    let previewPlan: DeliveryPlan

    var preview: [OutgoingRequest] { app.previewRequests + previewPlan.requests }

    func run(in session: any DeliverySession) async throws(DeliveryFailure) -> ExchangeResult {
        do {
            return try await attempt(session)
        } catch  where error.status == 401 {
            app.invalidate()
            return try await attempt(session)
        }
    }

    private func attempt(_ session: any DeliverySession) async throws(DeliveryFailure) -> ExchangeResult {
        let token = try await app.token(in: session)
        return try await plan(token, session).run(in: session)
    }
}
