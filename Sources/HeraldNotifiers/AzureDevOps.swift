import HeraldCore
import HeraldJSON
import Synchronization

/// Writes Flux events as commit statuses on Azure DevOps, as the azure-devops-go-api SDK does (reference §4.7, §10).
struct AzureDevOpsNotifier: ProviderNotifier {
    /// The resource area of Git commit statuses; the SDK looks its route up by this id.
    static let statusesLocation = "428dd4fb-fda5-4722-af02-9313b80305da"
    static let apiVersion = "6.0"

    let organizationURL: String
    let project: String
    let repository: String
    let headers: [HTTPHeaderField]
    let providerUID: String
    let routes: AzureDevOpsRoutes

    init(settings: ProviderSettings) throws(ProviderError) {
        guard !settings.token.isEmpty else {
            throw .unsupportedAuth("azure devops token cannot be empty: workload identity is not supported by Herald; use a PAT")
        }
        let address = try GitAddress(settings.address)
        let parts = address.id.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4 else { throw .invalidRepository(address.id) }
        organizationURL = "\(address.host)/\(parts[0])".lowercased()
        project = String(parts[1])
        repository = String(parts[3])
        headers = [
            HTTPHeaderField("Authorization", "Basic \(Base64.encode(Array(":\(settings.token)".utf8)))", isSecret: true),
            HTTPHeaderField("X-TFS-FedAuthRedirect", "Suppress"), HTTPHeaderField("X-TFS-Session", AzureDevOpsRoutes.session),
        ]
        providerUID = settings.provider.meta.uid
        routes = AzureDevOpsRoutes()
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        guard
            let update = try CommitStatus.update(
                for: event, context: context, providerUID: providerUID, info: "succeeded", error: "error",
                severityError: "can't convert to azure devops state")
        else { return .skip(reason: "commit statuses ignore Progressing events") }
        let genre = event.metadata["summary"].map { "fluxcd:\($0)" } ?? "fluxcd"
        // The SDK's GitStatus has alphabetical, omitempty fields.
        let body = JSONWriter.bytes([
            "context": ["genre": .string(genre), "name": .string(update.id)], "description": .string(update.description),
            "state": .string(update.state),
        ])
        return .exchange(
            AzureDevOpsExchange(
                notifier: self, sha: update.sha, body: body, genre: genre, name: update.id, state: update.state,
                description: update.description))
    }

    /// `OPTIONS <org>/_apis`: the SDK's route discovery.
    var discoveryRequest: OutgoingRequest {
        OutgoingRequest(
            method: "OPTIONS", url: "\(organizationURL)/_apis", headers: headers + [HTTPHeaderField("Accept", "application/json")])
    }

    func statusRequests(route: AzureDevOpsRoutes.Route, sha: String, body: [UInt8]) -> (read: OutgoingRequest, write: OutgoingRequest) {
        let values = ["project": project, "repositoryId": repository, "commitId": sha, "area": route.area, "resource": route.resource]
        let path = route.template.split(separator: "/").compactMap { segment -> String? in
            guard segment.hasPrefix("{"), segment.hasSuffix("}") else { return String(segment) }
            let name = String(segment.dropFirst().dropLast())
            guard let value = values[name], !value.isEmpty else { return nil }
            return pathEscape(value)
        }.joined(separator: "/")
        let url = "\(organizationURL)/\(path)"
        let accept = HTTPHeaderField("Accept", "application/json;api-version=\(route.version)")
        return (
            OutgoingRequest(method: "GET", url: url, headers: headers + [accept]),
            OutgoingRequest(
                url: url, headers: headers + [accept, HTTPHeaderField("Content-Type", "application/json;charset=utf-8")], body: body)
        )
    }
}

/// The statuses route of one organisation, discovered once and kept, as the SDK's client cache does.
final class AzureDevOpsRoutes: Sendable {
    struct Route: Sendable, Hashable {
        var template: String
        var area: String
        var resource: String
        var version: String
    }

    /// The SDK's per-process session id.
    static let session: String = {
        var generator = SystemRandomNumberGenerator()
        let hex = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }.hexString
        let characters = Array(hex)
        func part(_ range: Range<Int>) -> String { String(characters[range]) }
        return "\(part(0..<8))-\(part(8..<12))-\(part(12..<16))-\(part(16..<20))-\(part(20..<32))"
    }()

    private let discovered = Mutex<Route?>(nil)

    var cached: Route? { discovered.withLock { $0 } }

    /// Reads the statuses location from an `OPTIONS <org>/_apis` answer and picks the API version.
    func learn(from response: ProviderResponse, organization: String) throws(DeliveryFailure) -> Route {
        let locations = (try? JSONParser.parse(response.body))?["value"]?.arrayValue ?? []
        guard let location = locations.first(where: { $0["id"]?.stringValue == AzureDevOpsNotifier.statusesLocation }),
            let template = location["routeTemplate"]?.stringValue
        else {
            throw DeliveryFailure(
                message: "API resource location \(AzureDevOpsNotifier.statusesLocation) is not registered on \(organization).",
                status: response.status)
        }
        let route = Route(
            template: template, area: location["area"]?.stringValue ?? "", resource: location["resourceName"]?.stringValue ?? "",
            version: Self.version(location))
        discovered.withLock { $0 = route }
        return route
    }

    /// 6.0 unless the server's highest version is older; then that one, marked preview when not released.
    static func version(_ location: JSONValue) -> String {
        func text(_ key: String) -> String? {
            switch location[key] {
            case .string(let value): value
            case .number(let value): value
            default: nil
            }
        }
        guard let maximumText = text("maxVersion"), let maximum = Double(maximumText), maximum < 6.0 else {
            return AzureDevOpsNotifier.apiVersion
        }
        let released = text("releasedVersion").flatMap(Double.init) ?? maximum
        return released < maximum ? "\(maximumText)-preview" : maximumText
    }
}

/// Discovery (once), the status list, and the write unless the newest status with this name and genre says the same.
struct AzureDevOpsExchange: DeliveryExchange {
    let notifier: AzureDevOpsNotifier
    let sha: String
    let body: [UInt8]
    let genre: String
    let name: String
    let state: String
    let description: String

    var preview: [OutgoingRequest] {
        let route =
            notifier.routes.cached
            ?? .init(
                template: "{project}/_apis/{area}/repositories/{repositoryId}/commits/{commitId}/{resource}", area: "git",
                resource: "statuses", version: AzureDevOpsNotifier.apiVersion)
        let (read, write) = notifier.statusRequests(route: route, sha: sha, body: body)
        return (notifier.routes.cached == nil ? [notifier.discoveryRequest] : []) + [read, write]
    }

    func run(in session: any DeliverySession) async throws(DeliveryFailure) -> ExchangeResult {
        var route = notifier.routes.cached
        if route == nil {
            let response = try await session.send(notifier.discoveryRequest)
            route = try notifier.routes.learn(from: response, organization: notifier.organizationURL)
        }
        guard let route else { throw DeliveryFailure(message: "no route for Azure DevOps commit statuses") }
        let (read, write) = notifier.statusRequests(route: route, sha: sha, body: body)
        let listed: ProviderResponse
        do {
            listed = try await session.send(read)
        } catch {
            var failure = error
            failure.message = "could not list commit statuses: " + failure.message
            throw failure
        }
        if isDuplicate(listed.body) { return .duplicate }
        do {
            return .written(status: try await session.send(write).status)
        } catch {
            var failure = error
            failure.message = "could not create commit status: " + failure.message
            throw failure
        }
    }

    /// The first complete status with the same context name and genre decides.
    func isDuplicate(_ body: [UInt8]) -> Bool {
        for status in (try? JSONParser.parse(body))?["value"]?.arrayValue ?? [] {
            guard let context = status["context"], let existingName = context["name"]?.stringValue,
                let existingGenre = context["genre"]?.stringValue, let existingState = status["state"]?.stringValue,
                let existingDescription = status["description"]?.stringValue
            else { continue }
            if existingName == name && existingGenre == genre { return existingState == state && existingDescription == description }
        }
        return false
    }
}
