import HeraldCore
import HeraldJSON
import HeraldNotifiers
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The cluster-mode pipeline: routes each new event occurrence with the current snapshot and hands the
/// rendered notifications to the dispatcher. One actor, so the rate limiter sees events in order.
public actor EventProcessor {
    private var pipeline: EventPipeline
    private let dispatcher: Dispatcher
    private let labels: ClusterLabels?
    private let logger: Logger
    private let metrics: HeraldMetrics?
    private var dropped: [String: Int] = [:]
    public private(set) var processed = 0

    public init(pipeline: EventPipeline, dispatcher: Dispatcher, labels: ClusterLabels?, logger: Logger, metrics: HeraldMetrics? = nil) {
        self.pipeline = pipeline
        self.dispatcher = dispatcher
        self.labels = labels
        self.logger = logger
        self.metrics = metrics
    }

    /// Swaps in new Alerts, Providers and clients; takes effect for the next event.
    public func update(snapshot: RoutingSnapshot) {
        pipeline.snapshot = snapshot
    }

    public var snapshot: RoutingSnapshot { pipeline.snapshot }

    /// Counts of events that produced no notification, by reason (`trace`, `rate_limited`, `no_match`, …).
    public var dropCounts: [String: Int] { dropped }

    /// Processes one event and tells the caller what became of it (the HTTP ingest answers with it).
    @discardableResult
    public func process(_ decoded: DecodedEvent, source: String = "watch") async -> PipelineResult.Disposition {
        await processReporting(decoded, source: source).disposition
    }

    /// Processes one event; the result's `rateLimitWindowEnd` is converted to wall-clock seconds.
    public func processReporting(
        _ decoded: DecodedEvent, source: String = "watch"
    ) async -> (
        disposition: PipelineResult.Disposition, windowEndWallSeconds: Int64?
    ) {
        metrics?.eventReceived(source: source)
        let result = await route(decoded)
        metrics?.record(result)
        let wall = result.rateLimitWindowEnd.map { end -> Int64 in
            let remaining = end - Self.now()
            return Self.wallSeconds() + (remaining + 999_999_999) / 1_000_000_000
        }
        return (result.disposition, wall)
    }

    private func route(_ decoded: DecodedEvent) async -> PipelineResult {
        processed += 1
        var context: Logger.Metadata = ["sequence": "\(processed)"]
        if case .event(_, .kubernetes(let uid, let count, _, _)) = decoded {
            context["event.uid"] = "\(uid)"
            context["event.count"] = "\(count)"
        }
        if case .event(let event, _) = decoded, let labels, needsLabels(event) {
            // matchLabels: read the involved object's labels before routing (cached, bounded).
            let fetched = await labels.labels(of: event.involvedObject)
            let snapshot = pipeline.snapshot
            pipeline.snapshot = RoutingSnapshot(
                replacingLabelsOf: snapshot, with: FetchedLabels(object: event.involvedObject, labels: fetched))
            let result = pipeline.process(decoded, now: Self.now())
            pipeline.snapshot = snapshot
            await handle(result, context: context)
            return result
        } else {
            let result = pipeline.process(decoded, now: Self.now())
            await handle(result, context: context)
            return result
        }
    }

    static func wallSeconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec)
    }

    private func handle(_ result: PipelineResult, context: Logger.Metadata) async {
        switch result.disposition {
        case .ignored(let reason):
            if case .trace = reason { dropped["trace", default: 0] += 1 } else { dropped["ignored", default: 0] += 1 }
        case .rateLimited: dropped["rate_limited", default: 0] += 1
        case .noMatch: dropped["no_match", default: 0] += 1
        case .routed: break
        }
        DecisionLog.pipeline(result, context: context, logger: logger)
        for job in result.jobs { await dispatcher.enqueue(job) }
    }

    private func needsLabels(_ event: Event) -> Bool {
        pipeline.snapshot.table.alerts.contains { compiled in
            compiled.alert.eventSources.contains { source in
                source.matchLabels != nil && source.kind == event.involvedObject.kind
                    && (source.namespace.isEmpty ? compiled.alert.key.namespace : source.namespace) == event.involvedObject.namespace
            }
        }
    }

    /// Arrival time for the rate limiter: monotonic nanoseconds since the process started.
    static func now() -> Int64 { processStart.duration(to: .now).nanoseconds }

    private static let processStart = ContinuousClock.now
}

/// The labels of one object, fetched for one event.
struct FetchedLabels: LabelLookup {
    let object: ObjectReference
    let labels: [String: String]?

    func labels(group: String, kind: String, key: ObjectKey) -> [String: String]? {
        guard group == object.group, kind == object.kind, key.namespace == object.namespace, key.name == object.name else { return nil }
        return labels
    }
}

extension RoutingSnapshot {
    /// The same Alerts, Providers and clients with another label source.
    init(replacingLabelsOf snapshot: RoutingSnapshot, with labels: any LabelLookup) {
        self.init(table: snapshot.table, clients: snapshot.clients, labels: labels)
    }
}
