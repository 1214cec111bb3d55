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
        let namespace = configuration.watchNamespace
        let logger = self.logger
        let metrics = HeraldMetrics(version: configuration.version)
        // Decisions and outcomes flow one way, out to the observers: the decision log, metrics, and a
        // bounded stream to the store (Provider status, credential refresh).
        let (outcomes, outcomeFeed) = ProviderOutcomeFeed.make()
        let observer = PipelineObservers([DecisionLog(logger: logger), metrics, outcomeFeed])
        let settings = configuration.pipeline
        let dispatcher = Dispatcher(
            concurrency: settings.concurrency, queueCapacity: settings.queueCapacity, overflow: .drop,
            deliverer: Deliverer(transport: transport, retry: settings.retry), logger: logger
        ) { job, outcome in observer.observe(outcome, job: job) }
        let processor = EventProcessor(
            pipeline: settings.makePipeline(snapshot: RoutingSnapshot(alerts: [], providers: [], secrets: [:], labels: NoLabels())),
            dispatcher: dispatcher, labels: ClusterLabels(client: client, logger: logger), observer: observer)
        let store = FluxObjectStore(
            client: client, api: api, processor: processor, logger: logger, secretTTL: configuration.secretTTL,
            deliveryStatusInterval: configuration.deliveryStatusInterval)

        let reflectorSettings = Reflector.Settings(
            watchTimeout: configuration.watchTimeoutSeconds, stallTimeout: configuration.watchStallTimeout)
        let alertReflector = Reflector(
            client: client, path: api.path("alerts", namespace: namespace), settings: reflectorSettings, consumer: store.feed(.alert),
            logger: logger
        )
        let providerReflector = Reflector(
            client: client, path: api.path("providers", namespace: namespace), settings: reflectorSettings, consumer: store.feed(.provider),
            logger: logger)
        let leaseNamespace = configuration.leaseNamespace ?? client.config.namespace
        let watermarks = configuration.leaseName.map {
            LeaseWatermarkStore(client: client, namespace: leaseNamespace, name: $0, logger: logger)
        }
        let elector: LeaderElector? = configuration.leaderElection.flatMap { timing in
            configuration.leaseName.map { lease in
                LeaderElector(
                    client: client, namespace: leaseNamespace, name: lease, identity: LeaderElector.defaultIdentity(), timing: timing,
                    logger: logger)
            }
        }
        let intake = EventIntake(
            EventIntake.Context(
                client: client, configuration: configuration, processor: processor, dispatcher: dispatcher, store: store, elector: elector,
                watermarks: watermarks, observer: observer, settings: reflectorSettings, logger: logger))
        let health = try HealthServer.make(address: configuration.healthAddress, isReady: { intake.isReady }, logger: logger)

        // Services shut down in reverse order: event intake stops first (and writes the watermark), the
        // dispatcher drains, and the leader hands the Lease over last.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: health),
            .init(service: DispatcherService(dispatcher: dispatcher, drainTimeout: configuration.shutdownTimeout, logger: logger)),
            .init(service: StoreService(store: store, outcomes: outcomes)),
            .init(service: ReflectorService(reflector: alertReflector)),
            .init(service: ReflectorService(reflector: providerReflector)),
            .init(service: intake),
        ]
        if let elector { services.insert(.init(service: LeaderElectionService(elector: elector)), at: 0) }
        if let address = configuration.metricsAddress {
            let server = try MetricsServer.make(
                address: address, metrics: metrics,
                refresh: {
                    metrics.observe(alertReflector.stats, resource: "alerts")
                    metrics.observe(providerReflector.stats, resource: "providers")
                    if let events = intake.reflector { metrics.observe(events.stats, resource: "events") }
                    metrics.queueDepths(dispatcher.queueDepths)
                    if let saved = watermarks?.lastSavedAt { metrics.watermarkAge(saved.duration(to: .now)) }
                    if let elector { metrics.leader(elector.isLeader) }
                }, logger: logger)
            services.insert(.init(service: server), at: elector == nil ? 1 : 2)
        }
        if let address = configuration.eventsAddress {
            let ingest = try EventIngestServer(
                address: address, processor: processor, isActive: { elector?.isLeader ?? true }, logger: logger)
            services.append(.init(service: DelayedService(ingest, after: { await store.waitForFirstSnapshot() })))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            ))
        try await group.run()
        logger.info("herald stopped")
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

/// A service that starts once a condition holds (the first routing snapshot), so nothing is routed
/// against an empty table.
struct DelayedService<Wrapped: Service>: Service {
    let wrapped: Wrapped
    let after: @Sendable () async -> Void

    init(_ wrapped: Wrapped, after: @escaping @Sendable () async -> Void) {
        self.wrapped = wrapped
        self.after = after
    }

    func run() async throws {
        await cancelWhenGracefulShutdown { await after() }
        if Task.isCancelled || isShuttingDown { return }
        try await wrapped.run()
    }

    private var isShuttingDown: Bool { Task.isShuttingDownGracefully }
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
