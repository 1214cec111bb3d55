import ArgumentParser
import HeraldAgent
import HeraldCore
import Logging

/// `herald run`: cluster mode.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch the cluster's Events and deliver Flux notifications.",
        discussion: """
            One watch on core/v1 Events (cluster-wide or in --watch-namespace), Alerts and Providers listed \
            and watched from the API server (the newest served notification.toolkit.fluxcd.io version), \
            Secrets read when a Provider needs them. Configuration: --kubeconfig, KUBECONFIG, the in-cluster \
            service account, then ~/.kube/config. SIGTERM stops reading, drains deliveries and exits 0.
            """
    )

    @OptionGroup var cluster: KubeconfigOptions

    @Option(
        name: .long,
        help: ArgumentHelp("Watch Events, Alerts and Providers in this namespace only (default: all namespaces).", valueName: "namespace"))
    var watchNamespace: String?

    @Option(
        name: .long, help: ArgumentHelp("On first start, Events older than start time minus this are not delivered.", valueName: "duration")
    )
    var startupGrace: String = "30s"

    @Option(name: .long, help: ArgumentHelp("Reopen a watch that sent nothing, not even a bookmark, for this long.", valueName: "duration"))
    var watchStallTimeout: String = "90s"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "/healthz fails once one event has held the event processor this long, so Kubernetes restarts a stuck pod.",
            valueName: "duration"))
    var processorStallTimeout: String = "60s"

    @Option(name: .long, help: ArgumentHelp("Address of the /healthz and /readyz probes.", valueName: "[host]:port"))
    var healthAddr: String = ":9440"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Address of the Flux-compatible event endpoint (the controllers' --events-addr); empty disables it.", valueName: "[host]:port"))
    var eventsAddr: String = ":9090"

    @Option(name: .long, help: ArgumentHelp("Address of the Prometheus endpoint /metrics; empty disables it.", valueName: "[host]:port"))
    var metricsAddr: String = ":8080"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Herald's Lease: it keeps the delivery watermark (so a restart delivers exactly what it missed) and, with --leader-elect, the leader. Empty disables both.",
            valueName: "name"))
    var leaseName: String = "herald"

    @Option(
        name: .long,
        help: ArgumentHelp("Namespace of that Lease (default: the kubeconfig context's, or the pod's, namespace).", valueName: "namespace"))
    var leaseNamespace: String?

    @Flag(name: .long, help: "Elect a leader through the Lease: only the leader delivers; a standby takes over within the lease duration.")
    var leaderElect = false

    @Option(name: .long, help: ArgumentHelp("How long a leader's Lease is valid without renewal.", valueName: "duration"))
    var leaseDuration: String = "35s"

    @Option(name: .long, help: ArgumentHelp("How long a leader keeps trying to renew before it steps down.", valueName: "duration"))
    var renewDeadline: String = "30s"

    @Option(name: .long, help: ArgumentHelp("How often candidates try to acquire or renew the Lease.", valueName: "duration"))
    var retryPeriod: String = "5s"

    @Option(name: .long, help: ArgumentHelp("How often the watermark is written (and once more on shutdown).", valueName: "duration"))
    var watermarkInterval: String = "5s"

    @Option(name: .long, help: ArgumentHelp("Event occurrences remembered to tell repeats from new ones.", valueName: "n"))
    var eventCacheSize: Int = 20_000

    @Option(name: .long, help: ArgumentHelp("How long a Provider's Secret is cached before it is read again.", valueName: "duration"))
    var secretCacheTTL: String = "5m"

    @Option(name: .long, help: ArgumentHelp("On SIGTERM, how long in-flight deliveries may take to finish.", valueName: "duration"))
    var shutdownTimeout: String = "30s"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Shortest time between two updates of a Provider's LastDelivery status (or its delivery Events).", valueName: "duration"))
    var deliveryStatusInterval: String = "30s"

    @OptionGroup var pipeline: PipelineOptions

    func validate() throws {
        _ = try durationFlag("--startup-grace", startupGrace, allowZero: true)
        _ = try durationFlag("--watch-stall-timeout", watchStallTimeout)
        _ = try durationFlag("--processor-stall-timeout", processorStallTimeout)
        _ = try durationFlag("--secret-cache-ttl", secretCacheTTL, allowZero: true)
        _ = try durationFlag("--shutdown-timeout", shutdownTimeout, allowZero: true)
        _ = try durationFlag("--watermark-interval", watermarkInterval)
        _ = try durationFlag("--delivery-status-interval", deliveryStatusInterval, allowZero: true)
        let duration = try durationFlag("--lease-duration", leaseDuration)
        let deadline = try durationFlag("--renew-deadline", renewDeadline)
        let retry = try durationFlag("--retry-period", retryPeriod)
        if leaderElect {
            if leaseName.isEmpty { throw ValidationError("--leader-elect needs a --lease-name") }
            if !(retry < deadline && deadline < duration) {
                throw ValidationError("leader election needs --retry-period < --renew-deadline < --lease-duration")
            }
        }
        if HealthServer.parse(healthAddr) == nil { throw ValidationError("--health-addr: \"\(healthAddr)\" is not [host]:port") }
        if !metricsAddr.isEmpty, HealthServer.parse(metricsAddr) == nil {
            throw ValidationError("--metrics-addr: \"\(metricsAddr)\" is not [host]:port (or empty to disable)")
        }
        if !eventsAddr.isEmpty, HealthServer.parse(eventsAddr) == nil {
            throw ValidationError("--events-addr: \"\(eventsAddr)\" is not [host]:port (or empty to disable)")
        }
        if eventCacheSize < 1 { throw ValidationError("--event-cache-size must be at least 1") }
    }

    func run() async throws {
        let logger = HeraldLogging.logger(level: pipeline.level, encoding: pipeline.encoding(default: .json))
        let configuration = ClusterConfiguration(
            kubeconfig: cluster.kubeconfig,
            context: cluster.context,
            watchNamespace: watchNamespace,
            startupGrace: try durationFlag("--startup-grace", startupGrace, allowZero: true),
            watchStallTimeout: try durationFlag("--watch-stall-timeout", watchStallTimeout),
            processorStallTimeout: try durationFlag("--processor-stall-timeout", processorStallTimeout),
            healthAddress: healthAddr,
            eventsAddress: eventsAddr.isEmpty ? nil : eventsAddr,
            metricsAddress: metricsAddr.isEmpty ? nil : metricsAddr,
            version: HeraldVersion.current,
            leaseName: leaseName.isEmpty ? nil : leaseName,
            leaseNamespace: leaseNamespace,
            leaderElection: leaderElect
                ? LeaderElector.Timing(
                    leaseDuration: try durationFlag("--lease-duration", leaseDuration),
                    renewDeadline: try durationFlag("--renew-deadline", renewDeadline),
                    retryPeriod: try durationFlag("--retry-period", retryPeriod)) : nil,
            watermarkInterval: try durationFlag("--watermark-interval", watermarkInterval),
            pipeline: pipeline.configuration,
            occurrenceCapacity: eventCacheSize,
            secretTTL: try durationFlag("--secret-cache-ttl", secretCacheTTL, allowZero: true),
            shutdownTimeout: try durationFlag("--shutdown-timeout", shutdownTimeout, allowZero: true),
            deliveryStatusInterval: try durationFlag("--delivery-status-interval", deliveryStatusInterval, allowZero: true)
        )
        let environment = ProcessEnvironment.current
        do {
            try await ClusterRunner(configuration: configuration, logger: logger).run(environment: environment)
        } catch {
            FileOutput.standardError.write("herald: \(error)\n")
            throw ExitCode(1)
        }
    }
}
