import HeraldCore
import HeraldJSON

/// Posts the Flux event JSON as-is to any webhook (`generic`), with the Secret's extra headers.
struct GenericNotifier: ProviderNotifier {
    let url: String
    let headers: [(name: String, value: String)]

    init(settings: ProviderSettings) throws(ProviderError) {
        url = try settings.webhookAddress().text
        headers = settings.headers
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        .send(request(for: event))
    }

    /// The request without a signature; `generic-hmac` signs this exact body.
    func request(for event: Event) -> OutgoingRequest {
        var request = OutgoingRequest(
            url: url,
            headers: [
                HTTPHeaderField("Content-Type", "application/json"),
                HTTPHeaderField("Gotk-Component", event.reportingController),
            ],
            body: event.jsonBytes
        )
        for header in headers { request.setHeader(header.name, header.value, isSecret: true) }
        return request
    }
}
