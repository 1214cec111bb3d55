import HeraldCore
import HeraldJSON

/// Triggers a GitHub `repository_dispatch` with the Flux event as its payload (reference §4.9).
struct GitHubDispatchNotifier: ProviderNotifier {
    let repository: GitHubRepository
    let authentication: GitHubAuthentication

    init(settings: ProviderSettings) throws(ProviderError) {
        authentication = try GitHubRepository.authentication(settings)
        repository = try GitHubRepository(address: settings.address)
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        try authentication.plan { token throws(ProviderError) in plan(for: event, token: token) }
    }

    func plan(for event: Event, token: String) -> DeliveryPlan {
        let object = event.involvedObject
        // go-github encodes without HTML escaping and ends with a newline; the payload is Flux's own
        // (HTML-escaped) event JSON, embedded as raw bytes.
        var body = Array(#"{"event_type":"#.utf8)
        JSONWriter.writeString("\(object.kind)/\(object.name).\(object.namespace)", into: &body, escapeHTML: false)
        body += Array(#","client_payload":"#.utf8) + event.jsonBytes + Array("}\n".utf8)
        return .send(
            OutgoingRequest(
                url: "\(repository.apiBase)repos/\(repository.owner)/\(repository.name)/dispatches",
                headers: [HTTPHeaderField("Content-Type", "application/json")] + repository.headers(token: token), body: body,
                responseCheck: .githubAPI))
    }
}
