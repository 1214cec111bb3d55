import HeraldCore
import HeraldKube
import Logging
import ServiceLifecycle
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `herald run`: assembles the Event watch, the Flux object store, the dispatcher and the health
/// server into one `ServiceGroup`; SIGTERM and SIGINT shut it down gracefully, in reverse order:
/// stop reading events, stop watching objects, drain deliveries (bounded), stop the probes.
public struct ClusterRunner: Sendable {
    public let configuration: ClusterConfiguration
    public let logger: Logger

    public init(configuration: ClusterConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run(environment: [String: String]) async throws {
        let kubeConfig = try KubeConfigLoader.load(
            kubeconfig: configuration.kubeconfig, context: configuration.context, environment: environment)
        logger.info("connecting to the API server", metadata: ["server": "\(kubeConfig.server)", "source": "\(kubeConfig.source)"])
        let client = try KubeClient(config: kubeConfig)
        let transport = ProviderTransport()
        do {
            try await run(client: client, transport: transport)
        } catch {
            await transport.shutdown()
            await client.shutdown()
            throw error
        }
        await transport.shutdown()
        await client.shutdown()
    }

    func run(client: KubeClient, transport: ProviderTransport) async throws {
        let api = try await FluxServedAPI.discover(client: client)
        logger.info(
            "reading Flux Alerts and Providers",
            metadata: [
                "version": "\(api.version.apiVersion)", "alertStatus": "\(api.alertsHaveStatus)",
                "providerStatus": "\(api.providersHaveStatus)",
            ])
        let core = PipelineCore(configuration: configuration, client: client, transport: transport, api: api, logger: logger)
        let reflectorSettings = Reflector.Settings(
            watchTimeout: configuration.watchTimeoutSeconds, stallTimeout: configuration.watchStallTimeout)
        let namespace = configuration.watchNamespace
        let alertReflector = Reflector(
            client: client, path: api.path("alerts", namespace: namespace), settings: reflectorSettings, consumer: core.store.feed(.alert),
            logger: logger)
        let providerReflector = Reflector(
            client: client, path: api.path("providers", namespace: namespace), settings: reflectorSettings,
            consumer: core.store.feed(.provider), logger: logger)
        let lease = LeaseRoles(configuration: configuration, client: client, logger: logger)
        let intake = EventIntake(
            EventIntake.Context(
                client: client, configuration: configuration, dispatcher: core.dispatcher, store: core.store,
                elector: lease.elector, watermarks: lease.watermarks, observer: core.observer, settings: reflectorSettings, logger: logger))

        // Services shut down in reverse order: event intake stops first (and writes the watermark), the
        // dispatcher drains, and the leader hands the Lease over last.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let elector = lease.elector { services.append(.init(service: LeaderElectionService(elector: elector))) }
        services.append(
            .init(service: try HealthServer.make(address: configuration.healthAddress, isReady: { intake.isReady }, logger: logger)))
        if let address = configuration.metricsAddress {
            let reflectors = [("alerts", alertReflector), ("providers", providerReflector)]
            services.append(
                .init(service: try metricsServer(address: address, core: core, reflectors: reflectors, intake: intake, lease: lease)))
        }
        services += [
            .init(service: DispatcherService(dispatcher: core.dispatcher, drainTimeout: configuration.shutdownTimeout, logger: logger)),
            .init(service: StoreService(store: core.store, outcomes: core.outcomes)),
            .init(service: ReflectorService(reflector: alertReflector)),
            .init(service: ReflectorService(reflector: providerReflector)),
        ]
        // The event inputs, each feeding the one processor once the first routing snapshot is published.
        var inputs: [any EventInput] = [intake]
        if let address = configuration.eventsAddress {
            let elector = lease.elector
            inputs.append(try EventIngestServer(address: address, isActive: { elector?.isLeader ?? true }, logger: logger))
        }
        let store = core.store
        for input in inputs {
            services.append(
                .init(service: EventInputService(input: input, processor: core.processor, ready: { await store.waitForFirstSnapshot() })))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("herald stopped")
    }

    /// The metrics endpoint; gauges that are state elsewhere are read when scraped.
    private func metricsServer(
        address: String, core: PipelineCore, reflectors: [(String, Reflector)], intake: EventIntake, lease: LeaseRoles
    ) throws -> PlainHTTPServer {
        let metrics = core.metrics
        let dispatcher = core.dispatcher
        return try MetricsServer.make(
            address: address, metrics: metrics,
            refresh: {
                for (resource, reflector) in reflectors { metrics.observe(reflector.stats, resource: resource) }
                if let events = intake.reflector { metrics.observe(events.stats, resource: "events") }
                metrics.queueDepths(dispatcher.queueDepths)
                if let saved = lease.watermarks?.lastSavedAt { metrics.watermarkAge(saved.duration(to: .now)) }
                if let elector = lease.elector { metrics.leader(elector.isLeader) }
            }, logger: logger)
    }
}

/// The event path of `herald run`: processor, dispatcher and deliverer, with its observers, and the
/// store that feeds the processor routing snapshots.
struct PipelineCore: Sendable {
    let metrics: HeraldMetrics
    let observer: PipelineObservers
    let outcomes: ProviderOutcomeFeed.Stream
    let dispatcher: Dispatcher
    let processor: EventProcessor
    let store: FluxObjectStore

    init(configuration: ClusterConfiguration, client: KubeClient, transport: ProviderTransport, api: FluxServedAPI, logger: Logger) {
        metrics = HeraldMetrics(version: configuration.version)
        // Decisions and outcomes flow one way, out to the observers: the decision log, metrics, and a
        // bounded stream to the store (Provider status, credential refresh).
        let (outcomes, outcomeFeed) = ProviderOutcomeFeed.make()
        let observer = PipelineObservers([DecisionLog(logger: logger), metrics, outcomeFeed])
        let settings = configuration.pipeline
        dispatcher = Dispatcher(
            concurrency: settings.concurrency, queueCapacity: settings.queueCapacity, overflow: .drop,
            deliverer: Deliverer(transport: transport, retry: settings.retry), logger: logger
        ) { job, outcome in observer.observe(outcome, job: job) }
        processor = EventProcessor(
            pipeline: settings.makePipeline(snapshot: RoutingSnapshot(alerts: [], providers: [], secrets: [:], labels: NoLabels())),
            dispatcher: dispatcher, labels: ClusterLabels(client: client, logger: logger), observer: observer)
        store = FluxObjectStore(
            client: client, api: api, processor: processor, logger: logger, secretTTL: configuration.secretTTL,
            deliveryStatusInterval: configuration.deliveryStatusInterval)
        self.outcomes = outcomes
        self.observer = observer
    }
}

/// What Herald does with its Lease: keep the delivery watermark on it, and (with `--leader-elect`) hold it.
struct LeaseRoles: Sendable {
    let watermarks: LeaseWatermarkStore?
    let elector: LeaderElector?

    init(configuration: ClusterConfiguration, client: KubeClient, logger: Logger) {
        let namespace = configuration.leaseNamespace ?? client.config.namespace
        watermarks = configuration.leaseName.map { LeaseWatermarkStore(client: client, namespace: namespace, name: $0, logger: logger) }
        elector = configuration.leaderElection.flatMap { timing in
            configuration.leaseName.map { lease in
                LeaderElector(
                    client: client, namespace: namespace, name: lease, identity: LeaderElector.defaultIdentity(), timing: timing,
                    logger: logger)
            }
        }
    }
}

/// The object store's own work: building snapshots after each change, and learning from delivery outcomes.
struct StoreService: Service {
    let store: FluxObjectStore
    let outcomes: ProviderOutcomeFeed.Stream

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await store.runRebuilds() }
                group.addTask {
                    for await (provider, outcome) in outcomes { await store.observe(outcome, provider: provider) }
                }
                await group.waitForAll()
            }
        }
    }
}

/// A reflector as a service: runs until graceful shutdown.
struct ReflectorService: Service {
    let reflector: Reflector
    /// Waited for before the first list: the Event watch starts once Alerts and Providers are routable.
    var after: @Sendable () async -> Void = {}

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await after()
            await reflector.run()
        }
    }
}

/// The dispatcher as a service: on graceful shutdown it stops taking work and drains, for a bounded time.
struct DispatcherService: Service {
    let dispatcher: Dispatcher
    let drainTimeout: Duration
    let logger: Logger

    func run() async throws {
        let workers = Task { await dispatcher.run() }
        try? await gracefulShutdown()
        await dispatcher.finish()
        let drained = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await workers.value
                return true
            }
            group.addTask {
                try? await Task.sleep(for: drainTimeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !drained {
            logger.warning("shutdown timeout reached; abandoning deliveries still in flight", metadata: ["timeout": "\(drainTimeout)"])
            workers.cancel()
            await workers.value
        }
    }
}
