import HeraldCore
import HeraldKube
import Logging

/// The event path of `herald run`: processor, dispatcher and deliverer, with its observers, and the
/// store that feeds the processor routing snapshots.
struct PipelineCore: Sendable {
    let metrics: HeraldMetrics
    let observer: PipelineObservers
    let outcomes: ProviderOutcomeFeed
    let dispatcher: Dispatcher
    let processor: EventProcessor
    let progress: ProcessorProgress
    let store: FluxObjectStore

    init(
        configuration: ClusterConfiguration, client: KubeClient, transport: ProviderTransport, api: FluxServedAPI, clock: WallClock,
        logger: Logger
    ) {
        metrics = HeraldMetrics(version: configuration.version)
        // Decisions and outcomes flow one way, out to the observers: the decision log, metrics, and the
        // feed the store takes each Provider's newest outcome from (Provider status, credential refresh).
        let outcomes = ProviderOutcomeFeed()
        let observer = PipelineObservers([DecisionLog(logger: logger), metrics, outcomes])
        let settings = configuration.pipeline
        dispatcher = Dispatcher(
            concurrency: settings.concurrency, queueCapacity: settings.queueCapacity, overflow: .drop,
            deliverer: Deliverer(transport: transport, retry: settings.retry, wallClock: clock), logger: logger
        ) { job, outcome in observer.observe(outcome, job: job) }
        let progress = ProcessorProgress(stallTimeout: configuration.processorStallTimeout, now: { ContinuousClock.now })
        processor = EventProcessor(
            pipeline: settings.makePipeline(snapshot: RoutingSnapshot(alerts: [], providers: [], secrets: [:], labels: NoLabels())),
            dispatcher: dispatcher, labels: ClusterLabels(client: client, logger: logger), observer: observer, clock: clock,
            progress: progress)
        self.progress = progress
        store = FluxObjectStore(
            client: client, api: api, processor: processor, logger: logger, secretTTL: configuration.secretTTL,
            deliveryStatusInterval: configuration.deliveryStatusInterval, clock: clock)
        self.outcomes = outcomes
        self.observer = observer
    }
}
