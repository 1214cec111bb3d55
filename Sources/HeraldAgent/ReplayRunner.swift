import HeraldCore
import HeraldJSON
import Logging
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Everything `herald replay` needs, built from its command line.
public struct ReplayConfiguration: Sendable {
    public var manifestPaths: [String]
    /// A file, or `-` for standard input.
    public var eventsPath: String
    public var dryRun: Bool
    public var rateLimitInterval: Duration
    public var rateLimitCapacity: Int
    public var routing: RoutingOptions
    public var concurrency: Int
    public var queueCapacity: Int
    public var overflow: OverflowPolicy
    public var eventFilter: EventFilter
    public var retry: RetryPolicy

    public init(
        manifestPaths: [String], eventsPath: String, dryRun: Bool = false, rateLimitInterval: Duration = .seconds(300),
        rateLimitCapacity: Int = 10_000, routing: RoutingOptions = RoutingOptions(), concurrency: Int = 4,
        queueCapacity: Int = 100, overflow: OverflowPolicy = .block, eventFilter: EventFilter = EventFilter(),
        retry: RetryPolicy = RetryPolicy()
    ) {
        self.manifestPaths = manifestPaths
        self.eventsPath = eventsPath
        self.dryRun = dryRun
        self.rateLimitInterval = rateLimitInterval
        self.rateLimitCapacity = rateLimitCapacity
        self.routing = routing
        self.concurrency = concurrency
        self.queueCapacity = queueCapacity
        self.overflow = overflow
        self.eventFilter = eventFilter
        self.retry = retry
    }
}

/// What a replay did; `exitCode` is the process status the command line returns.
public struct ReplaySummary: Sendable, Hashable {
    public var lines = 0
    public var invalidLines = 0
    public var events = 0
    public var ignored = 0
    public var rateLimited = 0
    public var unmatched = 0
    public var notifications = 0
    public var delivered = 0
    public var duplicates = 0
    public var skipped = 0
    public var failed = 0
    public var rateLimiterEvictions = 0

    /// 0 when everything was delivered (or rendered); 1 when a delivery failed or a line was invalid.
    public var exitCode: Int32 { invalidLines > 0 || failed > 0 ? 1 : 0 }
}

/// Runs `herald replay`: manifests in, events from a file or stdin, notifications rendered or delivered.
public struct ReplayRunner: Sendable {
    public let configuration: ReplayConfiguration
    public let transport: any Transport
    public let logger: Logger

    public init(configuration: ReplayConfiguration, transport: any Transport, logger: Logger) {
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
    }

    /// Loads the manifests; any problem is a ``ManifestLoadError`` (exit status 2, nothing sent).
    public func loadSnapshot() throws(ManifestLoadError) -> RoutingSnapshot {
        try ManifestSet.loadSnapshot(paths: configuration.manifestPaths, logger: logger)
    }

    /// Replays the events through `snapshot`; `output` receives each dry-run line.
    public func run(
        snapshot: RoutingSnapshot, output: @escaping @Sendable (String) -> Void, flush: @escaping @Sendable () -> Void = {}
    ) async throws(InputError)
        -> ReplaySummary
    {
        let reader = try LineReader(path: configuration.eventsPath)
        var pipeline = EventPipeline(
            snapshot: snapshot, options: configuration.routing,
            rateLimiter: EventRateLimiter(interval: configuration.rateLimitInterval, capacity: configuration.rateLimitCapacity))
        let tally = Mutex(ReplaySummary())
        let logger = self.logger
        let dispatcher = Dispatcher(
            concurrency: configuration.concurrency, queueCapacity: configuration.queueCapacity, overflow: configuration.overflow,
            deliverer: Deliverer(transport: transport, retry: configuration.retry), logger: logger
        ) { job, outcome in
            DecisionLog.delivery(outcome, job: job, logger: logger)
            tally.withLock { summary in
                switch outcome {
                case .delivered: summary.delivered += 1
                case .duplicate: summary.duplicates += 1
                case .skipped: summary.skipped += 1
                case .failed: summary.failed += 1
                }
            }
        }
        let workers = Task { await dispatcher.run() }
        let clock = ContinuousClock()
        let origin = clock.now
        let dryRun = configuration.dryRun
        let filter = configuration.eventFilter
        let fromStdin = configuration.eventsPath == "-"
        do {
            try await reader.forEachLine { line in
                tally.withLock { $0.lines += 1 }
                if line.tooLong {
                    tally.withLock { $0.invalidLines += 1 }
                    logger.error("line \(line.number): longer than \(reader.maximumLineBytes) bytes; skipped")
                    return
                }
                if line.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
                let decoded: DecodedEvent
                do {
                    decoded = try EventDecoder.decode(try JSONParser.parse(line.bytes), filter: filter)
                } catch let error as JSONParseError {
                    tally.withLock { $0.invalidLines += 1 }
                    logger.error("line \(line.number): \(error)")
                    return
                } catch {
                    tally.withLock { $0.invalidLines += 1 }
                    logger.error("line \(line.number): invalid event: \(error)")
                    return
                }
                let elapsed = origin.duration(to: clock.now)
                let result = pipeline.process(decoded, now: elapsed.nanoseconds)
                DecisionLog.pipeline(result, context: ["line": "\(line.number)"], logger: logger)
                tally.withLock { summary in
                    switch result.disposition {
                    case .ignored: summary.ignored += 1
                    case .rateLimited: summary.events += 1; summary.rateLimited += 1
                    case .noMatch: summary.events += 1; summary.unmatched += 1
                    case .routed: summary.events += 1
                    }
                    summary.notifications += result.jobs.count + result.failures.count
                    summary.failed += result.failures.count
                }
                if dryRun {
                    for job in result.jobs {
                        switch job.plan {
                        case .send, .exchange:
                            tally.withLock { $0.delivered += 1 }
                            output(JSONWriter.string(DryRunRecord.json(for: job, requests: job.plan.requests), escapeHTML: false))
                        case .skip(let reason):
                            tally.withLock { $0.skipped += 1 }
                            logger.debug(
                                "notification skipped",
                                metadata: ["alert": "\(job.alert)", "provider": "\(job.provider)", "reason": "\(reason)"])
                        }
                    }
                    if fromStdin { flush() }
                } else {
                    for job in result.jobs { await dispatcher.enqueue(job) }
                }
            }
        } catch let error as InputError {
            await dispatcher.finish()
            await workers.value
            throw error
        } catch {
            await dispatcher.finish()
            await workers.value
            throw InputError(description: "\(error)")
        }
        await dispatcher.finish()
        await workers.value
        flush()
        var summary = tally.withLock { $0 }
        summary.rateLimiterEvictions = pipeline.rateLimiter.evictions
        logger.info(
            "replay finished",
            metadata: [
                "lines": "\(summary.lines)", "events": "\(summary.events)", "invalid": "\(summary.invalidLines)",
                "ignored": "\(summary.ignored)", "rate_limited": "\(summary.rateLimited)", "notifications": "\(summary.notifications)",
                "delivered": "\(summary.delivered)", "failed": "\(summary.failed)", "duplicates": "\(summary.duplicates)",
            ])
        return summary
    }
}
