import Crypto
import HeraldCore
import HeraldJSON

/// Creates an Opsgenie alert per Flux event, with an alias that lets Opsgenie group repeats (reference §4.18).
struct OpsgenieNotifier: ProviderNotifier {
    let url: String
    let token: String
    let providerUID: String

    init(settings: ProviderSettings) throws(ProviderError) {
        url = try settings.webhookAddress().text
        guard !settings.token.isEmpty else { throw .missingToken("empty Opsgenie apikey/token") }
        token = settings.token
        providerUID = settings.provider.meta.uid
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        var details = event.metadata
        details["severity"] = event.severity
        let object = event.involvedObject
        let body: JSONValue = [
            "message": .string("\(object.kind)/\(object.name)"),
            "alias": .string(Self.alias(providerUID: providerUID, event: event)),
            "description": .string(event.message),
            "details": .sortedObject(details),
        ]
        return .send(JSONPost.request(url, body, headers: [HTTPHeaderField("Authorization", "GenieKey \(token)", isSecret: true)]))
    }

    /// SHA-256 of `<providerUID>/<Kind>/<namespace>/<name>/<reason>`, hex.
    static func alias(providerUID: String, event: Event) -> String {
        let object = event.involvedObject
        let text = "\(providerUID)/\(object.kind)/\(object.namespace)/\(object.name)/\(event.reason)"
        return SHA256.hash(data: Array(text.utf8)).hexString
    }
}
