import HeraldCore
import HeraldKube
import Logging
import ServiceLifecycle
import Synchronization

/// `herald run`: assembles the Event watch, the Flux object store, the dispatcher and the health
/// server into one `ServiceGroup`; SIGTERM and SIGINT shut it down gracefully, in reverse order:
/// stop reading events, stop watching objects, drain deliveries (bounded), stop the probes.
public struct ClusterRunner: Sendable {
    public let configuration: ClusterConfiguration
    public let logger: Logger
    /// The one wall clock of the process, handed to every part that reads the time of day.
    public let clock: WallClock

    /// `clock` is the time of day every part of the process reads; tests pass their own.
    public init(configuration: ClusterConfiguration, logger: Logger, clock: WallClock = .system) {
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
    }

    /// Connects with the kubeconfig `environment` points at and runs until SIGTERM or SIGINT.
    public func run(environment: [String: String]) async throws {
        let kubeConfig = try KubeConfigLoader.load(
            kubeconfig: configuration.kubeconfig, context: configuration.context, environment: environment)
        logger.info("connecting to the API server", metadata: ["server": "\(kubeConfig.server)", "source": "\(kubeConfig.source)"])
        let proxy = try EnvironmentProxy(environment: environment)
        let client = try KubeClient(config: kubeConfig)
        let transport = ProviderTransport(http: HTTPTransport(environmentProxy: proxy))
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
        let core = PipelineCore(
            configuration: configuration, client: client, transport: transport, api: api, clock: clock, logger: logger)
        let reflectorSettings = Reflector.Settings(
            watchTimeout: configuration.watchTimeoutSeconds, stallTimeout: configuration.watchStallTimeout)
        let namespace = configuration.watchNamespace
        let alertReflector = Reflector(
            client: client, path: api.path("alerts", namespace: namespace), settings: reflectorSettings, consumer: core.store.feed(.alert),
            logger: logger)
        let providerReflector = Reflector(
            client: client, path: api.path("providers", namespace: namespace), settings: reflectorSettings,
            consumer: core.store.feed(.provider), logger: logger)
        let lease = LeaseRoles(configuration: configuration, client: client, clock: clock, logger: logger)
        let intake = EventIntake(
            EventIntake.Context(
                client: client, configuration: configuration, dispatcher: core.dispatcher, store: core.store,
                lease: lease, observer: core.observer, settings: reflectorSettings, logger: logger,
                clock: clock))

        // Services shut down in reverse order: event intake stops first (and writes the watermark), the
        // dispatcher drains, and the leader hands the Lease over last.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let elector = lease.elector { services.append(.init(service: LeaderElectionService(elector: elector))) }
        let probes = try HealthServer.make(
            address: configuration.healthAddress, isReady: { intake.isReady }, stall: { core.progress.stall }, logger: logger)
        services.append(.init(service: probes))
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
