import HeraldAgent
import HeraldCore
import HeraldNotifiers
import Logging

/// Builders shared by the agent suites: providers, events and jobs aimed at in-process servers.
enum AgentFixtures {
    static let logger: Logger = {
        var logger = Logger(label: "herald-tests") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        return logger
    }()

    /// Retries as Flux does, but with millisecond waits so the suites stay fast.
    static let fastRetry = RetryPolicy(maxRetries: 4, base: .milliseconds(20), maximum: .milliseconds(200))

    static func event(
        name: String = "webapp", message: String = "message", severity: String = "info", metadata: [String: String] = [:]
    )
        -> Event
    {
        Event(
            involvedObject: ObjectReference(
                kind: "GitRepository", namespace: "gitops-system", name: name, apiVersion: "source.toolkit.fluxcd.io/v1"),
            severity: severity, timestamp: FluxTimestamp(secondsSinceEpoch: 1_664_520_029), message: message, reason: "reason",
            metadata: metadata, reportingController: "source-controller", reportingInstance: "source-controller-xyz")
    }

    static func provider(
        _ name: String = "hook", type: ProviderType = .generic, address: String, timeout: Duration? = nil, proxy: String = "",
        secretRef: String? = nil, certSecretRef: String? = nil, uid: String = "0c9c2e41-aaaa-bbbb-cccc-000000000000"
    ) -> Provider {
        Provider(
            meta: ObjectMeta(key: ObjectKey(namespace: "gitops-system", name: name), uid: uid), type: type, address: address,
            timeout: timeout, proxy: proxy, secretRef: secretRef, certSecretRef: certSecretRef)
    }

    static func client(_ provider: Provider, secrets: [String: Secret] = [:]) throws -> ProviderClient {
        try NotifierFactory.make(provider: provider) { secrets[$0] }
    }

    static func secret(_ name: String, _ values: [String: String]) -> Secret {
        Secret(key: ObjectKey(namespace: "gitops-system", name: name), values: values)
    }

    static func job(_ client: ProviderClient, event: Event = AgentFixtures.event(), alert: String = "alert") throws -> DeliveryJob {
        DeliveryJob(
            alert: ObjectKey(namespace: "gitops-system", name: alert), client: client, event: event,
            plan: try client.notifier.plan(for: event))
    }
}

/// Collects dispatcher outcomes from any thread.
actor OutcomeLog {
    private(set) var entries: [(provider: ObjectKey, outcome: DeliveryOutcome)] = []

    func append(_ provider: ObjectKey, _ outcome: DeliveryOutcome) { entries.append((provider, outcome)) }

    func outcomes(for provider: ObjectKey) -> [DeliveryOutcome] {
        entries.filter { $0.provider == provider }.map(\.outcome)
    }
}
