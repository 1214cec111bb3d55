import HeraldCore
import HeraldJSON
import Testing

@testable import HeraldNotifiers

/// The reference's shared fixture (§4.2) and builders for Providers, Secrets and rendered requests.
enum NotifierFixture {
    static let providerUID = "0c9c2e41-d2f9-4f9b-9c41-7e7b1f0b3c6a"
    static let sha = "a1afe267b54f38b46b487f6e938a6fd508278c07"
    static let token = "s3cr3t-t0ken-value"

    /// GitRepository gitops-system/webapp, severity info, message `message`, reason `reason`, metadata `test: metadata`.
    static func event(
        severity: String = Event.severityInfo, message: String = "message", reason: String = "reason",
        metadata: [String: String] = ["test": "metadata"]
    ) -> Event {
        Event(
            involvedObject: ObjectReference(kind: "GitRepository", namespace: "gitops-system", name: "webapp"),
            severity: severity,
            timestamp: FluxTimestamp(rfc3339: "2022-09-30T06:40:29Z"),
            message: message,
            reason: reason,
            metadata: metadata,
            reportingController: "source-controller",
            reportingInstance: "source-controller-xyz"
        )
    }

    /// A combined Kustomization event as commit-status providers receive it (un-prefixed metadata).
    static func kustomization(
        severity: String = Event.severityInfo, reason: String = "ApplySucceeded",
        metadata: [String: String] = ["revision": "main@sha1:\(sha)"]
    ) -> Event {
        Event(
            involvedObject: ObjectReference(
                kind: "Kustomization", namespace: "gitops-system", name: "webapp", apiVersion: "kustomize.toolkit.fluxcd.io/v1"),
            severity: severity,
            timestamp: FluxTimestamp(rfc3339: "2022-09-30T06:40:29Z"),
            message: "Applied revision main@sha1:\(sha)",
            reason: reason,
            metadata: metadata,
            reportingController: "kustomize-controller"
        )
    }

    static func provider(
        _ type: ProviderType, address: String = "", channel: String = "", username: String = "", timeout: Duration? = nil,
        proxy: String = "", secretRef: String? = nil, certSecretRef: String? = nil, proxySecretRef: String? = nil
    ) -> Provider {
        Provider(
            meta: ObjectMeta(key: ObjectKey(namespace: "gitops-system", name: "provider"), uid: providerUID),
            type: type, channel: channel, username: username, address: address, timeout: timeout, proxy: proxy,
            secretRef: secretRef, certSecretRef: certSecretRef, proxySecretRef: proxySecretRef)
    }

    /// `NotifierFactory.make` with Secrets (by name, in the Provider's namespace) given as plain maps.
    static func client(_ provider: Provider, secrets: [String: [String: String]] = [:]) throws(ProviderError) -> ProviderClient {
        try NotifierFactory.make(provider: provider) { name in
            secrets[name].map { Secret(key: ObjectKey(namespace: provider.key.namespace, name: name), values: $0) }
        }
    }

    /// The write request and, for commit statuses, the read-then-write exchange; records an issue for `.skip`.
    static func send(
        _ client: ProviderClient, _ event: Event, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (
        request: OutgoingRequest, check: CheckedWrite?
    ) {
        switch try client.notifier.plan(for: event) {
        case .send(let requests):
            guard let request = requests.first, requests.count == 1 else {
                Issue.record("expected one request, the plan has \(requests.count)", sourceLocation: sourceLocation)
                throw Skipped()
            }
            return (request, nil)
        case .exchange(let exchange):
            guard let check = (exchange as? CheckedWrite) ?? ((exchange as? GiteaExchange)?.inner as? CheckedWrite) else {
                Issue.record("expected a read-then-write exchange, got \(type(of: exchange))", sourceLocation: sourceLocation)
                throw Skipped()
            }
            return (check.write, check)
        case .skip(let reason):
            Issue.record("expected a request, the plan skipped: \(reason)", sourceLocation: sourceLocation)
            throw Skipped()
        }
    }

    /// Every request of a plan, in order (reads included); records an issue for `.skip`.
    static func requests(
        _ provider: Provider, secrets: [String: [String: String]] = [:], event: Event = event()
    ) throws -> [OutgoingRequest] {
        let plan = try client(provider, secrets: secrets).notifier.plan(for: event)
        if case .skip(let reason) = plan { Issue.record("expected requests, the plan skipped: \(reason)") }
        return plan.requests
    }

    /// The single request rendered for `event` by a Provider of `type` built through the factory.
    static func request(_ provider: Provider, secrets: [String: [String: String]] = [:], event: Event = event()) throws -> OutgoingRequest {
        try send(try client(provider, secrets: secrets), event).request
    }

    struct Skipped: Error {}

    /// The request body parsed as JSON.
    static func body(_ request: OutgoingRequest) throws -> JSONValue {
        try JSONParser.parse(request.body)
    }

    static let jsonHeader = HTTPHeaderField("Content-Type", "application/json")

    /// Expects exactly these headers (name, value and secrecy), in any order, with no duplicates.
    static func expectHeaders(_ request: OutgoingRequest, _ expected: [HTTPHeaderField], sourceLocation: SourceLocation = #_sourceLocation)
    {
        #expect(request.headers.count == expected.count, "\(request.headers)", sourceLocation: sourceLocation)
        #expect(Set(request.headers) == Set(expected), sourceLocation: sourceLocation)
    }

    static let caPEM = "-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n"
    static let otherCAPEM = "-----BEGIN CERTIFICATE-----\nMIIBother\n-----END CERTIFICATE-----\n"
    static let certPEM = "-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----\n"
    static let keyPEM = "-----BEGIN PRIVATE KEY-----\nMIIBkey\n-----END PRIVATE KEY-----\n"
}
