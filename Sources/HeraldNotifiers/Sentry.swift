import Crypto
import HeraldCore
import HeraldJSON

/// Sends Flux events to Sentry as envelopes: errors as events, everything else as transactions (reference §4.13, §10).
struct SentryNotifier: ProviderNotifier {
    /// The SDK Flux links, which Sentry sees in the auth header and the envelope.
    static let client = "sentry.go/0.46.2"

    let envelopeURL: String
    let dsn: String
    let publicKey: String
    let environment: String
    let providerUID: String

    init(settings: ProviderSettings) throws(ProviderError) {
        guard !settings.address.isEmpty else { throw .invalidSetting("DSN cannot be empty") }
        // https://<public key>@<host>[:port]/<path>/<project id>
        guard let dsn = WebAddress(settings.address), dsn.isHTTP, let key = dsn.userInfo?.split(separator: ":").first, !key.isEmpty else {
            throw .invalidSetting("invalid Sentry DSN: expected https://<public key>@<host>/<project id>")
        }
        var path = dsn.path
        while path.hasSuffix("/") { path.removeLast() }
        guard let slash = path.lastIndex(of: "/"), !path[path.index(after: slash)...].isEmpty else {
            throw .invalidSetting("invalid Sentry DSN: no project id")
        }
        let project = path[path.index(after: slash)...]
        envelopeURL = "\(dsn.scheme)://\(dsn.hostAndPort)\(path[..<slash])/api/\(project)/envelope/"
        publicKey = String(key)
        self.dsn = settings.address
        environment = settings.provider.channel
        providerUID = settings.provider.meta.uid
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        let object = event.involvedObject
        let transaction = "\(object.kind): \(object.namespace)/\(object.name)"
        // Deterministic ids (no randomness in rendering): a repeat of the same event is the same Sentry event.
        let digest = Array(SHA256.hash(data: Array(providerUID.utf8) + event.jsonBytes))
        let eventID = digest[0..<16].hexString
        let timestamp = event.timestamp?.rfc3339 ?? AlertmanagerNotifier.goZeroTime
        var tags: [String: String] = [
            "flux_involved_object_kind": object.kind, "flux_involved_object_namespace": object.namespace,
            "flux_involved_object_name": object.name, "flux_reporting_controller": event.reportingController,
            "flux_reporting_instance": event.reportingInstance, "flux_reason": event.reason,
        ]
        for (key, value) in event.metadata { tags[key] = value }
        var payload = JSONObject([
            ("event_id", .string(eventID)), ("timestamp", .string(timestamp)), ("platform", "go"),
            ("sdk", ["name": "sentry.go", "version": "0.46.2"]), ("message", .string(event.message)),
            ("transaction", .string(transaction)),
        ])
        if !environment.isEmpty { payload.append("environment", .string(environment)) }
        let type: String
        if event.isError {
            type = "event"
            payload.append("level", "error")
            payload.append("server_name", .string(event.reportingController))
            payload.append("contexts", ["metadata": event.metadataJSON])
        } else {
            type = "transaction"
            let traceID = digest[16..<32].hexString
            let spanID = digest[0..<8].hexString
            payload.append("type", "transaction")
            payload.append("start_timestamp", .string(timestamp))
            payload.append("tags", .sortedObject(tags))
            payload.append("contexts", ["trace": ["trace_id": .string(traceID), "span_id": .string(spanID), "op": "event"]])
            payload.append(
                "spans",
                [
                    [
                        "trace_id": .string(traceID), "span_id": .string(digest[8..<16].hexString), "parent_span_id": .string(spanID),
                        "op": "event", "description": .string(event.message), "start_timestamp": .string(timestamp),
                        "timestamp": .string(timestamp),
                    ]
                ])
        }
        let item = JSONWriter.bytes(.object(payload))
        var body = JSONWriter.bytes([
            "event_id": .string(eventID), "dsn": .string(dsn), "sdk": ["name": "sentry.go", "version": "0.46.2"],
        ])
        body += Array("\n".utf8) + JSONWriter.bytes(["type": .string(type), "length": .integer(item.count)]) + Array("\n".utf8)
        body += item + Array("\n".utf8)
        return .send(
            OutgoingRequest(
                url: envelopeURL,
                headers: [
                    HTTPHeaderField("Content-Type", "application/x-sentry-envelope"),
                    HTTPHeaderField(
                        "X-Sentry-Auth", "Sentry sentry_version=7, sentry_client=\(Self.client), sentry_key=\(publicKey)", isSecret: true),
                ], body: body))
    }
}
