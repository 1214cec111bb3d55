import HeraldCore
import HeraldNotifiers

/// The Alerts, Providers and ready-made provider clients in force, as one immutable snapshot.
public struct RoutingSnapshot: Sendable {
    public let table: RoutingTable
    /// Each Provider's client, or why it cannot be built (missing Secret, bad address, unsupported type…).
    public let clients: [ObjectKey: Result<ProviderClient, ProviderError>]
    public let labels: any LabelLookup
    /// Counts up from 1 with every snapshot the cluster's object store builds (0: the empty one at start,
    /// or a replay's only one); the processor never goes back to a lower number.
    public var number = 0

    public init(alerts: [Alert], providers: [Provider], secrets: [ObjectKey: Secret], labels: any LabelLookup) {
        table = RoutingTable(alerts: alerts, providers: providers)
        var clients: [ObjectKey: Result<ProviderClient, ProviderError>] = [:]
        for provider in providers {
            let namespace = provider.key.namespace
            clients[provider.key] = Result { () throws(ProviderError) -> ProviderClient in
                try NotifierFactory.make(provider: provider) { name in secrets[ObjectKey(namespace: namespace, name: name)] }
            }
        }
        self.clients = clients
        self.labels = labels
    }

    init(table: RoutingTable, clients: [ObjectKey: Result<ProviderClient, ProviderError>], labels: any LabelLookup, number: Int) {
        self.table = table
        self.clients = clients
        self.labels = labels
        self.number = number
    }

    /// Alert warnings known at load time: regexes that do not compile.
    public var loadWarnings: [RouteWarning] {
        table.alerts.flatMap { compiled in compiled.warnings.map { RouteWarning(alert: compiled.key, message: $0) } }
    }
}

/// A notification that cannot be sent, attributed to its Alert (and Provider when known).
public struct NotificationFailure: Sendable, Hashable, CustomStringConvertible {
    public var alert: ObjectKey
    public var provider: ObjectKey?
    public var message: String
    /// The Provider's type when it is known, for metrics.
    public var providerType: String?
    /// The `--no-cross-namespace-refs` guard refused the event for this Alert.
    public var isCrossNamespace = false

    public var description: String {
        "Alert \(alert)" + (provider.map { ", Provider \($0)" } ?? "") + ": \(message)"
    }
}

/// What the pipeline decided for one input.
public struct PipelineResult: Sendable {
    public enum Disposition: Sendable, Hashable {
        case ignored(EventIgnoreReason)
        case rateLimited
        case noMatch
        case routed
    }

    public var disposition: Disposition
    public var event: Event?
    /// The ``RoutingSnapshot/number`` the event was routed with.
    public var snapshotNumber = 0
    /// End of the rate-limit window the event fell in (same clock as `now`), when it reached the limiter.
    public var rateLimitWindowEnd: Int64?
    /// Rendered notifications, in Alert order (`namespace/name`).
    public var jobs: [DeliveryJob] = []
    public var failures: [NotificationFailure] = []
    public var skips: [(alert: ObjectKey, reason: String)] = []
    public var warnings: [RouteWarning] = []
    public var conflicts: [(alert: ObjectKey, conflicts: [MetadataConflict])] = []
}

/// normalize → clean → dedupe → route → render, for one event at a time (DESIGN.md data flow).
///
/// The only state is the bounded rate limiter; everything else comes from the snapshot.
public struct EventPipeline: Sendable {
    public var snapshot: RoutingSnapshot
    public var options: RoutingOptions
    public private(set) var rateLimiter: EventRateLimiter

    public init(snapshot: RoutingSnapshot, options: RoutingOptions, rateLimiter: EventRateLimiter) {
        self.snapshot = snapshot
        self.options = options
        self.rateLimiter = rateLimiter
    }

    /// Runs one decoded input through the pipeline; `now` is the arrival time in nanoseconds.
    public mutating func process(_ decoded: DecodedEvent, now: Int64) -> PipelineResult {
        guard case .event(let raw, _) = decoded else {
            if case .ignored(let reason) = decoded { return PipelineResult(disposition: .ignored(reason), event: nil) }
            return PipelineResult(disposition: .noMatch, event: nil)
        }
        let event = MetadataCleanup.clean(raw)
        let decision = rateLimiter.check(event, now: now)
        guard decision.allowed else {
            return PipelineResult(disposition: .rateLimited, event: event, rateLimitWindowEnd: decision.windowEnd)
        }
        let (outcomes, warnings) = Router.route(event, table: snapshot.table, labels: snapshot.labels, options: options)
        var result = PipelineResult(
            disposition: outcomes.isEmpty ? .noMatch : .routed, event: event, rateLimitWindowEnd: decision.windowEnd)
        result.snapshotNumber = snapshot.number
        result.warnings = warnings
        for outcome in outcomes {
            switch outcome {
            case .skipped(let alert, let skip):
                result.skips.append((alert, skip.description))
            case .failed(let alert, let error):
                var failure = NotificationFailure(alert: alert, provider: error.provider, message: error.description)
                failure.providerType = error.provider.flatMap { snapshot.table.providers[$0]?.type.rawValue }
                if case .crossNamespace = error { failure.isCrossNamespace = true }
                result.failures.append(failure)
            case .notify(let notification):
                if !notification.conflicts.isEmpty { result.conflicts.append((notification.alert.key, notification.conflicts)) }
                render(notification, into: &result)
            }
        }
        return result
    }

    private func render(_ notification: Notification, into result: inout PipelineResult) {
        let alert = notification.alert.key
        let providerKey = notification.provider.key
        var failure = NotificationFailure(
            alert: alert, provider: providerKey, message: "", providerType: notification.provider.type.rawValue)
        switch snapshot.clients[providerKey] {
        case nil:
            failure.message = "failed to read provider: Provider \(providerKey) not found"
        case .failure(let error):
            failure.message = "failed to initialize notifier for provider '\(providerKey.name)': \(error)"
        case .success(let client):
            do {
                let plan = try client.notifier.plan(
                    for: notification.event,
                    context: RenderContext(
                        commitStatusID: notification.commitStatusID, alert: notification.alert.key, alertUID: notification.alert.meta.uid))
                result.jobs.append(DeliveryJob(alert: alert, client: client, event: notification.event, plan: plan))
                return
            } catch {
                failure.message = "failed to render notification: \(SecretMasker(client.secretValues).mask(error.description))"
            }
        }
        result.failures.append(failure)
    }
}
