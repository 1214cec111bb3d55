import HeraldCore
import Logging

/// Everything `herald replay` needs, built from its command line.
public struct ReplayConfiguration: Sendable {
    public var manifestPaths: [String]
    /// A file, or `-` for standard input.
    public var eventsPath: String
    public var dryRun: Bool
    /// Whether `--dry-run` lines show what Secrets hold (`--show-secrets`).
    public var secrets: SecretDisplay
    public var overflow: OverflowPolicy
    public var pipeline: PipelineConfiguration

    /// `overflow` is `.block` for replay: a finite input loses nothing by waiting for queue room.
    public init(
        manifestPaths: [String], eventsPath: String, dryRun: Bool = false, secrets: SecretDisplay = .masked,
        overflow: OverflowPolicy = .block,
        pipeline: PipelineConfiguration = PipelineConfiguration()
    ) {
        self.manifestPaths = manifestPaths
        self.eventsPath = eventsPath
        self.dryRun = dryRun
        self.secrets = secrets
        self.overflow = overflow
        self.pipeline = pipeline
    }
}

/// Runs `herald replay`: a file source on the same processor, dispatcher and deliverer as `herald run`.
///
/// `--dry-run` changes only the bottom of that path: a ``RecordingTransport`` answers every request,
/// exchanges run their preview, and the requests are printed instead of sent; deliveries then run one
/// at a time so each printed line holds exactly its own requests.
public struct ReplayRunner: Sendable {
    public let configuration: ReplayConfiguration
    public let transport: any Transport
    public let logger: Logger

    /// `transport` is where real deliveries go; `--dry-run` replaces it with a recording one.
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
        let settings = configuration.pipeline
        let tally = ReplayTally()
        var observers: [any PipelineObserver] = [DecisionLog(logger: logger, dryRun: configuration.dryRun), tally]
        var transport = self.transport
        if configuration.dryRun {
            let recorder = RecordingTransport()
            transport = recorder
            // Standard input is read as it arrives: show each event's lines at once; a file is flushed at the end.
            var flushEachBatch: @Sendable () -> Void = {}
            if configuration.eventsPath == "-" { flushEachBatch = flush }
            observers.append(DryRunPrinter(recorder: recorder, secrets: configuration.secrets, output: output, flush: flushEachBatch))
        }
        let observer = PipelineObservers(observers)
        let dispatcher = Dispatcher(
            concurrency: configuration.dryRun ? 1 : settings.concurrency, queueCapacity: settings.queueCapacity,
            overflow: configuration.overflow,
            deliverer: Deliverer(transport: transport, retry: settings.retry, previewExchanges: configuration.dryRun), logger: logger
        ) { job, outcome in observer.observe(outcome, job: job) }
        let processor = EventProcessor(
            pipeline: settings.makePipeline(snapshot: snapshot), dispatcher: dispatcher, labels: nil, observer: observer)
        let source = FileEventSource(reader: reader, filter: settings.eventFilter, observer: observer, tally: tally, logger: logger)
        let workers = Task { await dispatcher.run() }
        let failure: InputError?
        do throws(InputError) {
            try await source.feed(processor)
            failure = nil
        } catch {
            failure = error
        }
        await dispatcher.finish()
        await workers.value
        flush()
        if let failure { throw failure }
        var summary = tally.current
        summary.rateLimiterEvictions = await processor.rateLimiterEvictions
        log(summary)
        return summary
    }

    private func log(_ summary: ReplaySummary) {
        logger.info(
            "replay finished",
            metadata: [
                "lines": "\(summary.lines)", "events": "\(summary.events)", "invalid": "\(summary.invalidLines)",
                "ignored": "\(summary.ignored)", "rate_limited": "\(summary.rateLimited)", "notifications": "\(summary.notifications)",
                "delivered": "\(summary.delivered)", "failed": "\(summary.failed)", "duplicates": "\(summary.duplicates)",
            ])
    }
}
