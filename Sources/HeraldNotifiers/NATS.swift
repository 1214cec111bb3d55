import HeraldCore

/// Publishes the Flux event JSON on a NATS subject (reference §4.23); the NATS transport carries it.
struct NATSNotifier: ProviderNotifier {
    let server: String
    let subject: String
    let credentials: NATSCredentials

    init(settings: ProviderSettings) throws(ProviderError) {
        guard !settings.address.isEmpty else { throw .invalidSetting("NATS server (address) cannot be empty") }
        // nats.go takes a bare host:port as nats://host:port.
        let text = settings.address.contains("://") ? settings.address : "nats://\(settings.address)"
        guard let address = WebAddress(text), ["nats", "tls"].contains(address.scheme) else {
            throw .invalidAddress(type: .nats, address: settings.address, fromSecret: settings.addressFromSecret)
        }
        guard !settings.provider.channel.isEmpty else { throw .invalidChannel("NATS subject (channel) cannot be empty") }
        server = "\(address.scheme)://\(address.hostAndPort)"
        subject = settings.provider.channel
        var credentials = try Self.credentials(settings)
        if credentials == .none, let userInfo = address.userInfo {
            // nats://user:password@host, as nats.go reads it.
            let parts = userInfo.split(separator: ":", maxSplits: 1).map { percentDecode(String($0)) }
            credentials = parts.count == 2 ? .userPassword(user: parts[0], password: parts[1]) : .token(parts.first ?? "")
        }
        self.credentials = credentials
    }

    func transport(_ options: TransportOptions) -> TransportOptions {
        var options = options
        options.nats = credentials
        return options
    }

    /// Flux's order: a `creds` file, else an `nkey` seed, else username and password; Herald also takes a `token`.
    static func credentials(_ settings: ProviderSettings) throws(ProviderError) -> NATSCredentials {
        if let creds = settings.secret.value("creds"), !creds.isEmpty {
            guard let parsed = NATSCredentialsFile(creds) else {
                throw .invalidSetting("invalid NATS creds: expected a user JWT and an nkey seed block")
            }
            return .userCredentials(jwt: parsed.jwt, seed: parsed.seed)
        }
        if let seed = settings.secret.value("nkey"), !seed.isEmpty { return .nkey(seed: seed.trimmingWhitespace) }
        if !settings.username.isEmpty && !settings.password.isEmpty {
            return .userPassword(user: settings.username, password: settings.password)
        }
        if !settings.token.isEmpty { return .token(settings.token) }
        return .none
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        .send(OutgoingRequest(method: "PUB", url: server, body: event.jsonBytes, subject: subject))
    }
}

/// A NATS `.creds` file: the user JWT and the nkey seed, each between its BEGIN and END lines.
struct NATSCredentialsFile: Sendable, Hashable {
    var jwt: String
    var seed: String

    init?(_ text: String) {
        guard let jwt = Self.block(after: "BEGIN NATS USER JWT", in: text),
            let seed = Self.block(after: "BEGIN USER NKEY SEED", in: text)
        else { return nil }
        self.jwt = jwt
        self.seed = seed
    }

    /// The first non-empty line after the line containing `marker`.
    static func block(after marker: String, in text: String) -> String? {
        let lines = text.split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace }
        guard let start = lines.firstIndex(where: { $0.contains(marker) }) else { return nil }
        return lines[(start + 1)...].first { !$0.isEmpty && !$0.hasPrefix("--") }
    }
}
