import HeraldCore
import HeraldJSON

/// Triggers a PagerDuty incident for errors and resolves it otherwise; info events also become change events (reference §4.21).
struct PagerDutyNotifier: ProviderNotifier {
    let endpoint: String
    let routingKey: String

    init(settings: ProviderSettings) throws(ProviderError) {
        let address = try settings.webhookAddress()
        // The path is dropped: the Events API lives at the host's root (EU: events.eu.pagerduty.com).
        endpoint = "\(address.scheme)://\(address.hostAndPort)"
        routingKey = settings.provider.channel
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        if event.reason == "Progressing" { return .skip(reason: "PagerDuty ignores Progressing events") }
        let (name, description) = EventText.nameAndDescription(event)
        let summary = "\(description): \(name)"
        let source = "Flux \(event.reportingController)"
        let timestamp = event.timestamp?.rfc3339 ?? AlertmanagerNotifier.goZeroTime
        let details: JSONValue = ["message": .string(event.message), "metadata": event.metadataJSON]
        var alert = JSONObject([("routing_key", .string(routingKey)), ("event_action", .string(event.isError ? "trigger" : "resolve"))])
        if !event.involvedObject.uid.isEmpty { alert.append("dedup_key", .string(event.involvedObject.uid)) }
        if event.isError {
            alert.append(
                "payload",
                [
                    "summary": .string(summary), "source": .string(source), "severity": .string(Self.severity(event.severity)),
                    "timestamp": .string(timestamp), "component": .string(event.involvedObject.name),
                    "group": .string(event.involvedObject.kind), "custom_details": details,
                ])
        }
        var requests = [JSONPost.request("\(endpoint)/v2/enqueue", .object(alert))]
        if event.severity == Event.severityInfo {
            let change: JSONValue = [
                "routing_key": .string(routingKey),
                "payload": [
                    "summary": .string(summary), "source": .string(source), "timestamp": .string(timestamp), "custom_details": details,
                ],
            ]
            requests.append(JSONPost.request("\(endpoint)/v2/change/enqueue", change))
        }
        return .send(requests)
    }

    /// PagerDuty knows info and error (and more); Flux maps trace to info and everything else to error.
    static func severity(_ severity: String) -> String {
        severity == Event.severityInfo || severity == Event.severityTrace ? "info" : "error"
    }
}
