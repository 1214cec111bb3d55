import Crypto
import HeraldCore
import HeraldJSON

/// Sends the Flux event to an Azure Event Hub through the Event Hubs HTTPS send API (reference §4.14).
/// Flux's SDK speaks AMQP; the hub receives the same event body either way.
struct AzureEventHubNotifier: ProviderNotifier {
    /// How the send is authorised.
    enum Authorization: Sendable {
        /// A shared access key from a connection string: a SAS token is made per send, valid for an hour.
        case sharedAccessKey(name: String, key: String)
        /// A JWT from the Secret's token (Flux's deprecated mode).
        case bearer(String)
    }

    /// How long a SAS token made for one send stays valid.
    static let sasLifetime = 3600.0

    let sendURL: String
    /// The resource the SAS token is for: `https://<host>/<hub>`.
    let resource: String
    let authorization: Authorization

    init(settings: ProviderSettings) throws(ProviderError) {
        let address = settings.address
        guard !address.isEmpty else { throw .invalidSetting("endpoint URL cannot be empty") }
        let host: String
        let hub: String
        if address.contains("SharedAccessKey") {
            guard settings.token.isEmpty else {
                throw .invalidSetting("a SAS connection string cannot be combined with a token: remove the Secret's token key")
            }
            let parts = ConnectionString(address)
            guard let endpoint = parts["Endpoint"], let parsed = WebAddress(endpoint), !parsed.host.isEmpty else {
                throw .invalidSetting("invalid Event Hubs connection string: no Endpoint=sb://<namespace>/")
            }
            guard let entity = parts["EntityPath"], !entity.isEmpty else {
                throw .invalidSetting("invalid Event Hubs connection string: EntityPath (the event hub name) is required")
            }
            guard let name = parts["SharedAccessKeyName"], let key = parts["SharedAccessKey"], !name.isEmpty, !key.isEmpty else {
                throw .invalidSetting("invalid Event Hubs connection string: SharedAccessKeyName and SharedAccessKey are required")
            }
            host = parsed.hostAndPort
            hub = entity
            authorization = .sharedAccessKey(name: name, key: key)
        } else {
            guard !settings.token.isEmpty else {
                throw .unsupportedAuth(
                    "azureeventhub needs a SAS connection string as address, or a JWT token: workload identity is not supported by Herald")
            }
            let namespace = settings.provider.channel
            guard !namespace.isEmpty else { throw .invalidChannel("the Event Hubs namespace (channel) cannot be empty in JWT mode") }
            host = namespace.contains(".servicebus.") ? namespace : "\(namespace).servicebus.windows.net"
            hub = address
            authorization = .bearer(settings.token)
        }
        resource = "https://\(host)/\(hub)"
        sendURL = "\(resource)/messages?timeout=60&api-version=2014-01"
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        let request = OutgoingRequest(
            url: sendURL, headers: [HTTPHeaderField("Content-Type", "application/atom+xml;type=entry;charset=utf-8")], body: event.jsonBytes
        )
        switch authorization {
        case .bearer(let token):
            var signed = request
            signed.setHeader("Authorization", "Bearer \(token)", isSecret: true)
            return .send(signed)
        case .sharedAccessKey(let name, let key):
            return .exchange(SharedAccessSignatureSend(request: request, resource: resource, keyName: name, key: key))
        }
    }

    /// `SharedAccessSignature sr=<resource>&sig=<HMAC-SHA256 of resource\nexpiry>&se=<expiry>&skn=<key name>`.
    static func sharedAccessSignature(resource: String, keyName: String, key: String, expiry: Int) -> String {
        let encoded = queryEscape(resource.lowercased())
        let signature = HMAC<SHA256>.authenticationCode(
            for: Array("\(encoded)\n\(expiry)".utf8), using: SymmetricKey(data: Array(key.utf8)))
        return
            "SharedAccessSignature sr=\(encoded)&sig=\(queryEscape(Base64.encode(Array(signature))))&se=\(expiry)&skn=\(queryEscape(keyName))"
    }
}

/// A send whose SAS token is made from the clock at send time.
struct SharedAccessSignatureSend: DeliveryExchange {
    let request: OutgoingRequest
    let resource: String
    let keyName: String
    let key: String

    var preview: [OutgoingRequest] { [signed(expiry: 0)] }

    func run(in session: any DeliverySession) async throws(DeliveryFailure) -> ExchangeResult {
        let signed = signed(expiry: Int(session.now + AzureEventHubNotifier.sasLifetime))
        if let value = signed.header("Authorization") { session.conceal(value) }
        return .written(status: try await session.send(signed).status)
    }

    private func signed(expiry: Int) -> OutgoingRequest {
        var signed = request
        signed.setHeader(
            "Authorization",
            AzureEventHubNotifier.sharedAccessSignature(resource: resource, keyName: keyName, key: key, expiry: expiry), isSecret: true)
        return signed
    }
}

/// `Key=Value;Key=Value` as Azure connection strings write them (values may contain `=`).
struct ConnectionString {
    private var values: [String: String] = [:]

    init(_ text: String) {
        for part in text.split(separator: ";") {
            guard let equals = part.firstIndex(of: "=") else { continue }
            values[String(part[..<equals]).trimmingWhitespace] = String(part[part.index(after: equals)...]).trimmingWhitespace
        }
    }

    subscript(key: String) -> String? { values[key] }
}
