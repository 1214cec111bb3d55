import HeraldCore
import HeraldNotifiers

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
