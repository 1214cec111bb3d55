import HeraldCore
import HeraldJSON
import HeraldKube
import HeraldNotifiers

/// `herald send-test`: one clearly marked event through one Provider, with its Secrets, bypassing
/// routing and the rate limiter, so a user learns whether the Provider works before an Alert needs it.
public enum SendTest {
    /// The reason every test event carries, so a receiver can tell it from a real one.
    public static let reason = "HeraldSendTest"

    /// What happened to the test notification.
    public enum Result: Sendable, Hashable, CustomStringConvertible {
        case delivered(status: Int, attempts: Int)
        /// A commit status that already said the same: the provider was reached.
        case duplicate
        /// Nothing was sent, by the provider's own rule (e.g. commit statuses skip `Progressing`).
        case skipped(String)
        /// The Provider cannot be built (bad address, missing Secret) or the event cannot be rendered.
        case invalid(String)
        case failed(DeliveryFailure)

        public var delivered: Bool {
            switch self {
            case .delivered, .duplicate: true
            default: false
            }
        }

        public var description: String {
            switch self {
            case .delivered(let status, let attempts): "delivered: status \(status) after \(attempts) attempt(s)"
            case .duplicate: "delivered: the provider already shows this status"
            case .skipped(let reason): "nothing sent: \(reason)"
            case .invalid(let reason): "cannot send: \(reason)"
            case .failed(let failure):
                "failed after \(failure.attempts) attempt(s)" + (failure.status.map { ", status \($0)" } ?? "") + ": \(failure)"
            }
        }
    }

    /// An info event about the Provider itself; `metadata` adds what some types need (a `revision` for
    /// commit statuses, a `change_request` for comments).
    public static func event(for provider: Provider, metadata: [String: String], at time: FluxTimestamp) -> Event {
        Event(
            involvedObject: ObjectReference(
                kind: "Provider", namespace: provider.key.namespace, name: provider.key.name, uid: provider.meta.uid,
                apiVersion: provider.apiVersion.apiVersion),
            severity: Event.severityInfo, timestamp: time,
            message: "Test notification from Herald for Provider \(provider.key): if you can read this, the Provider works.",
            reason: reason, metadata: metadata, reportingController: "herald")
    }

    /// Builds the Provider's client and delivers the test event with the usual retries and timeout.
    public static func send(
        provider: Provider, secrets: [ObjectKey: Secret], metadata: [String: String], transport: any Transport,
        retry: RetryPolicy = RetryPolicy(), wallClock: WallClock = .system
    ) async -> Result {
        let namespace = provider.key.namespace
        let client: ProviderClient
        do {
            client = try NotifierFactory.make(provider: provider) { secrets[ObjectKey(namespace: namespace, name: $0)] }
        } catch {
            return .invalid(error.description)
        }
        let event = Self.event(for: provider, metadata: metadata, at: FluxTimestamp(secondsSinceEpoch: Int64(wallClock.now)))
        // OpenTelemetry names the service after an Alert; the test stands in for one named after the Provider.
        let alert = ObjectKey(namespace: namespace, name: "send-test-\(provider.key.name)")
        let plan: DeliveryPlan
        do {
            plan = try client.notifier.plan(for: event, context: RenderContext(alert: alert, alertUID: provider.meta.uid))
        } catch {
            return .invalid(SecretMasker(client.secretValues).mask(error.description))
        }
        let job = DeliveryJob(alert: alert, client: client, event: event, plan: plan)
        switch await Deliverer(transport: transport, retry: retry, wallClock: wallClock).deliver(job) {
        case .delivered(let status, let attempts): return .delivered(status: status, attempts: attempts)
        case .duplicate: return .duplicate
        case .skipped(let reason): return .skipped(reason)
        case .failed(let failure): return .failed(failure)
        }
    }

    /// Reads the Provider (in the newest served version) and the Secrets it names from the cluster.
    public static func read(
        _ key: ObjectKey, client: KubeClient
    ) async throws(SendTestError) -> (Provider, [ObjectKey: Secret]) {
        let object: JSONValue
        let api: FluxServedAPI
        do {
            api = try await FluxServedAPI.discover(client: client)
            var path = api.path("providers", namespace: key.namespace)
            path.name = key.name
            object = try await client.get(path)
        } catch {
            throw SendTestError(description: error.isNotFound ? "Provider \(key) not found" : "cannot read Provider \(key): \(error)")
        }
        let provider: Provider
        do {
            let decoded = try api.decode(object, as: .provider)
            guard case .provider(let value) = decoded else { throw SendTestError(description: "\(key) is not a Provider") }
            provider = value
        } catch let error as SendTestError {
            throw error
        } catch {
            throw SendTestError(description: "Provider \(key) is invalid: \(error)")
        }
        var secrets: [ObjectKey: Secret] = [:]
        for secretKey in provider.secretKeys {
            do {
                if let secret = try await client.secret(secretKey) { secrets[secretKey] = secret }
            } catch {
                throw SendTestError(description: "cannot read Secret \(secretKey): \(error)")
            }
        }
        return (provider, secrets)
    }
}

/// Why `send-test` could not even try (the Provider cannot be read).
public struct SendTestError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(description: String) { self.description = description }
}

extension Error {
    fileprivate var isNotFound: Bool { (self as? KubeError)?.isNotFound ?? false }
}
