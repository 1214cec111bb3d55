import HeraldCore
import HeraldKube
import Prometheus
import Synchronization

/// Herald's Prometheus metrics, on a registry the process owns (no global bootstrap).
///
/// Names follow Prometheus conventions: `herald_` prefix, `_total` counters, base units. Labels never
/// carry a Secret or an address: provider metrics are labelled by type and `namespace/name`.
public final class HeraldMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let reflectorTotals = Mutex<[String: Int]>([:])

    /// Delivery latency buckets, from a fast local webhook to the 15 s Provider timeout.
    static let latencyBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(15), .seconds(30),
    ]

    public init(version: String, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        gauge("build_info", "Herald's version; always 1.", [("version", version)]).set(to: 1)
    }

    private func counter(_ metric: String, _ unit: String, _ help: String, _ labels: [(String, String)]) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "herald", metricName: metric, unitName: unit, helpText: help), labels: labels)
    }

    private func gauge(_ metric: String, _ help: String, _ labels: [(String, String)]) -> Gauge {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "herald", metricName: metric, unitName: "", helpText: help), labels: labels)
    }

    /// Prometheus text exposition format.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }

    /// Counts an event read from `origin`.
    public func eventReceived(from origin: InputOrigin) {
        counter("events_received", "total", "Events read, by source (watch, ingest, file).", [("source", origin.rawValue)])
            .increment()
    }

    /// Counts an event that became no notification, by why.
    public func eventDropped(_ reason: DropReason) {
        counter(
            "events_dropped", "total",
            "Events or notifications dropped, by reason (trace, ignored, rate_limited, no_match, invalid, cross_namespace, foreign_namespace).",
            [("reason", reason.rawValue)]
        ).increment()
    }

    /// Counts what the pipeline decided for one event.
    public func record(_ result: PipelineResult) {
        if let reason = result.disposition.dropReason { eventDropped(reason) }
        for failure in result.failures {
            if failure.isCrossNamespace { eventDropped(.crossNamespace) }
            notificationFailed(providerType: failure.providerType ?? "unknown", provider: failure.provider?.description ?? "unknown")
        }
    }

    func notificationFailed(providerType: String, provider: String) {
        counter(
            "notifications_failed", "total", "Notifications that could not be delivered, by provider type and provider namespace/name.",
            [("type", providerType), ("provider", provider)]
        ).increment()
    }

    /// Counts one delivery outcome and its latency from enqueue to outcome.
    public func record(_ outcome: DeliveryOutcome, job: DeliveryJob) {
        let labels = [("type", job.client.provider.type.rawValue), ("provider", job.provider.description)]
        switch outcome {
        case .delivered(_, let attempts):
            counter("notifications_delivered", "total", "Notifications delivered.", labels).increment()
            if attempts > 1 { retried(labels, by: attempts - 1) }
        case .duplicate:
            counter("notifications_duplicate", "total", "Commit statuses not written again because they were already set.", labels)
                .increment()
        case .skipped:
            counter("notifications_skipped", "total", "Notifications a provider rule skipped.", labels)
                .increment()
        case .failed(let failure):
            if failure.kind == .queueFull {
                counter("notifications_overflowed", "total", "Notifications refused because the provider queue was full.", labels)
                    .increment()
            }
            notificationFailed(providerType: labels[0].1, provider: labels[1].1)
            if failure.attempts > 1 { retried(labels, by: failure.attempts - 1) }
        }
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "herald", metricName: "delivery_duration", unitName: "seconds",
                helpText: "Time from a notification's enqueue to its outcome, retries included."),
            labels: [("type", labels[0].1)], buckets: Self.latencyBuckets
        ).recordNanoseconds(job.enqueuedAt.duration(to: .now).nanoseconds)
    }

    private func retried(_ labels: [(String, String)], by count: Int) {
        counter("notification_retries", "total", "Delivery attempts retried.", labels)
            .increment(by: Int64(count))
    }

    /// Seconds since the delivery watermark was last written to the Lease.
    public func watermarkAge(_ age: Duration) {
        gauge("watermark_age_seconds", "Seconds since the delivery watermark was last written to the Lease.", [])
            .set(to: Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18)
    }

    /// 1 while this process leads, else 0.
    public func leader(_ leading: Bool) {
        gauge("leader", "1 while this process holds the leader Lease, else 0.", []).set(to: leading ? 1 : 0)
    }

    /// Sets the per-provider queue depth gauges.
    public func queueDepths(_ depths: [ObjectKey: Int]) {
        for (provider, depth) in depths {
            gauge("queue_depth", "Notifications waiting per provider.", [("provider", provider.description)])
                .set(to: Double(depth))
        }
    }

    /// Brings the watch counters up to the reflectors' own totals (the reflector keeps no metrics itself).
    public func observe(_ stats: ReflectorStats, resource: String) {
        let totals: [(String, String, Int)] = [
            ("herald_watch_restarts_total", "timeout", stats.watchTimeouts),
            ("herald_watch_restarts_total", "stall", stats.stalls),
            ("herald_watch_restarts_total", "error", stats.failures),
            ("herald_watch_relists_total", "expired", stats.relistsExpired),
            ("herald_watch_relists_total", "list", stats.lists),
            ("herald_watch_skipped_lines_total", "oversized_or_malformed", stats.skippedLines),
        ]
        for (name, reason, total) in totals {
            let key = "\(name)|\(resource)|\(reason)"
            let delta = reflectorTotals.withLock { seen -> Int in
                let previous = seen[key] ?? 0
                seen[key] = max(previous, total)
                return max(0, total - previous)
            }
            let metric = counter(
                String(name.dropFirst(7).dropLast(6)), "total", "Watch restarts and relists, by resource and reason.",
                [("resource", resource), ("reason", reason)])
            if delta > 0 { metric.increment(by: Int64(delta)) }
        }
    }
}

extension HeraldMetrics: PipelineObserver {
    public func observe(_ result: PipelineResult, origin: InputOrigin, context: EventContext) {
        eventReceived(from: origin)
        record(result)
    }

    public func observe(_ outcome: DeliveryOutcome, job: DeliveryJob) { record(outcome, job: job) }

    public func observeInvalidInput(origin: InputOrigin) {
        eventReceived(from: origin)
        eventDropped(.invalid)
    }
}
