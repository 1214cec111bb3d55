import CryptoExtras
import HeraldCore
import HeraldJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Publishes the Flux event to a Google Cloud Pub/Sub topic over the REST API, with a service account
/// (reference §4.11). Flux's client speaks gRPC; the topic receives the same message either way.
struct GooglePubSubNotifier: ProviderNotifier {
    static let endpoint = "https://pubsub.googleapis.com"
    static let scope = "https://www.googleapis.com/auth/pubsub"

    let project: String
    let topic: String
    let publishURL: String
    let attributes: [(name: String, value: String)]
    /// `nil` against the emulator, which takes no credentials.
    let account: GoogleServiceAccount?

    init(settings: ProviderSettings) throws(ProviderError) {
        let emulator = Self.emulatorHost
        try self.init(settings: settings, endpoint: emulator.map { "http://\($0)" } ?? Self.endpoint, needsCredentials: emulator == nil)
    }

    init(settings: ProviderSettings, endpoint: String, needsCredentials: Bool) throws(ProviderError) {
        project = settings.address
        topic = settings.provider.channel
        guard !project.isEmpty else { throw .invalidSetting("GCP project ID cannot be empty") }
        guard !topic.isEmpty else { throw .invalidChannel("GCP Pub/Sub topic ID cannot be empty") }
        publishURL = "\(endpoint)/v1/projects/\(pathEscape(project))/topics/\(pathEscape(topic)):publish"
        attributes = settings.headers
        if needsCredentials {
            guard !settings.token.isEmpty else {
                throw .unsupportedAuth(
                    "googlepubsub needs service-account JSON credentials in the Secret's token key: workload identity is not supported by Herald"
                )
            }
            account = try GoogleServiceAccount(json: settings.token)
        } else {
            account = nil
        }
    }

    /// Google's client libraries send to `PUBSUB_EMULATOR_HOST` without credentials when it is set.
    static var emulatorHost: String? {
        guard let value = getenv("PUBSUB_EMULATOR_HOST") else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        var message = JSONObject([("data", .string(Base64.encode(event.jsonBytes)))])
        if !attributes.isEmpty {
            message.append("attributes", .object(JSONObject(attributes.map { ($0.name, JSONValue.string($0.value)) })))
        }
        let publish = JSONPost.request(publishURL, ["messages": [.object(message)]])
        guard let account else { return .send(publish) }
        return .exchange(
            BearerTokenExchange(
                account: account, request: publish,
                failurePrefix: "error publishing to GCP Pub/Sub topic projects/\(project)/topics/\(topic): "))
    }
}

/// A Google service account from its JSON key: signs a JWT and trades it for an access token.
final class GoogleServiceAccount: Sendable {
    let email: String
    let tokenURI: String
    let keyID: String
    private let key: _RSA.Signing.PrivateKey
    let cache = CachedToken()

    init(json text: String) throws(ProviderError) {
        guard let json = try? JSONParser.parse(Array(text.utf8)), json["type"]?.stringValue == "service_account",
            let email = json["client_email"]?.stringValue, let pem = json["private_key"]?.stringValue
        else {
            throw .invalidSetting(
                "the Secret's token is not service-account JSON credentials (type service_account, client_email, private_key)")
        }
        do { key = try _RSA.Signing.PrivateKey(pemRepresentation: pem) } catch {
            throw .invalidSetting("could not parse the service account's private key: \(error)")
        }
        self.email = email
        tokenURI = json["token_uri"]?.stringValue ?? "https://oauth2.googleapis.com/token"
        keyID = json["private_key_id"]?.stringValue ?? ""
    }

    /// The JWT-bearer grant request (RFC 7523) for an hour-long token with `scope`.
    func tokenRequest(now: Double, scope: String) throws(DeliveryFailure) -> OutgoingRequest {
        let issuedAt = Int(now)
        let jwt: String
        do {
            jwt = try JSONWebToken.rs256(
                claims: [
                    "iss": .string(email), "scope": .string(scope), "aud": .string(tokenURI), "exp": .integer(issuedAt + 3600),
                    "iat": .integer(issuedAt),
                ], key: key)
        } catch {
            throw DeliveryFailure(message: "failed to sign the service account JWT: \(error)")
        }
        let form = FormEncoding.encode([("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", jwt)])
        return OutgoingRequest(
            url: tokenURI, headers: [HTTPHeaderField("Content-Type", "application/x-www-form-urlencoded")], body: Array(form.utf8))
    }

    func token(in session: any DeliverySession, scope: String) async throws(DeliveryFailure) -> String {
        let now = session.now
        if let cached = cache.current(now: now) {
            session.conceal(cached)
            return cached
        }
        let response = try await session.send(try tokenRequest(now: now, scope: scope))
        guard let body = try? JSONParser.parse(response.body), let token = body["access_token"]?.stringValue, !token.isEmpty else {
            throw DeliveryFailure(message: "the token endpoint answered without an access_token", status: response.status)
        }
        session.conceal(token)
        let lifetime: Double
        if case .number(let text) = body["expires_in"] ?? .null, let seconds = Double(text) { lifetime = seconds } else { lifetime = 3600 }
        cache.store(token, expiresAt: now + lifetime, now: now)
        return token
    }
}

/// A request sent with a bearer token from a service account; after a 401 the token is fetched again once.
struct BearerTokenExchange: DeliveryExchange {
    let account: GoogleServiceAccount
    let request: OutgoingRequest
    let failurePrefix: String

    var preview: [OutgoingRequest] {
        var authorized = request
        authorized.setHeader("Authorization", "Bearer <access token>", isSecret: true)
        var token = OutgoingRequest(url: account.tokenURI, headers: [HTTPHeaderField("Content-Type", "application/x-www-form-urlencoded")])
        token.body = Array(
            FormEncoding.encode([("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", "<signed JWT>")]).utf8)
        return [token, authorized]
    }

    func run(in session: any DeliverySession) async throws(DeliveryFailure) -> ExchangeResult {
        do {
            do {
                return try await attempt(session)
            } catch  where error.status == 401 {
                account.cache.invalidate()
                return try await attempt(session)
            }
        } catch {
            var failure = error
            failure.message = failurePrefix + failure.message
            throw failure
        }
    }

    private func attempt(_ session: any DeliverySession) async throws(DeliveryFailure) -> ExchangeResult {
        var authorized = request
        authorized.setHeader(
            "Authorization", "Bearer \(try await account.token(in: session, scope: GooglePubSubNotifier.scope))", isSecret: true)
        return .written(status: try await session.send(authorized).status)
    }
}
