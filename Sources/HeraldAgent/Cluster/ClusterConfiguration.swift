import HeraldCore
import HeraldKube

/// Everything `herald run` needs, built from its command line.
public struct ClusterConfiguration: Sendable {
    public var kubeconfig: String?
    public var context: String?
    /// Watch Events, Alerts and Providers in one namespace only; `nil` for the whole cluster.
    public var watchNamespace: String?
    public var startupGrace: Duration
    public var watchStallTimeout: Duration
    /// `/healthz` fails once one event has held the processor this long (Kubernetes then restarts the pod).
    public var processorStallTimeout: Duration
    /// Bounds of the server-side watch timeout, chosen at random for each watch.
    public var watchTimeoutSeconds: ClosedRange<Int>
    public var healthAddress: String
    /// The Flux-compatible event endpoint; `nil` disables it.
    public var eventsAddress: String?
    /// The Prometheus endpoint (`/metrics`); `nil` disables it.
    public var metricsAddress: String?
    /// Herald's Lease: its annotation keeps the delivery watermark, its spec the leader; `nil` disables both.
    public var leaseName: String?
    /// The Lease's namespace; `nil` means the kubeconfig context's (in a pod: the pod's) namespace.
    public var leaseNamespace: String?
    /// Leader election timing; `nil` runs without election (one replica).
    public var leaderElection: LeaderElector.Timing?
    /// How often the watermark is written (and once more on shutdown).
    public var watermarkInterval: Duration
    /// Reported as `herald_build_info{version}`.
    public var version: String
    /// What `herald replay` shares: filtering, rate limiting, routing, delivery.
    public var pipeline: PipelineConfiguration
    /// Event occurrences remembered to tell repeats from new ones.
    public var occurrenceCapacity: Int
    public var secretTTL: Duration
    public var shutdownTimeout: Duration
    /// Shortest time between two writes of one Provider's `LastDelivery` condition (or its Events).
    public var deliveryStatusInterval: Duration

    public init(
        kubeconfig: String? = nil, context: String? = nil, watchNamespace: String? = nil, startupGrace: Duration = .seconds(30),
        watchStallTimeout: Duration = .seconds(90), processorStallTimeout: Duration = .seconds(60),
        watchTimeoutSeconds: ClosedRange<Int> = 300...600, healthAddress: String = ":9440",
        eventsAddress: String? = ":9090", metricsAddress: String? = ":8080", version: String = "dev",
        leaseName: String? = "herald", leaseNamespace: String? = nil, leaderElection: LeaderElector.Timing? = nil,
        watermarkInterval: Duration = .seconds(5),
        pipeline: PipelineConfiguration = PipelineConfiguration(), occurrenceCapacity: Int = 20_000, secretTTL: Duration = .seconds(300),
        shutdownTimeout: Duration = .seconds(30),
        deliveryStatusInterval: Duration = .seconds(30)
    ) {
        self.kubeconfig = kubeconfig
        self.context = context
        self.watchNamespace = watchNamespace
        self.startupGrace = startupGrace
        self.watchStallTimeout = watchStallTimeout
        self.processorStallTimeout = processorStallTimeout
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.healthAddress = healthAddress
        self.eventsAddress = eventsAddress
        self.metricsAddress = metricsAddress
        self.version = version
        self.leaseName = leaseName
        self.leaseNamespace = leaseNamespace
        self.leaderElection = leaderElection
        self.watermarkInterval = watermarkInterval
        self.pipeline = pipeline
        self.occurrenceCapacity = occurrenceCapacity
        self.secretTTL = secretTTL
        self.shutdownTimeout = shutdownTimeout
        self.deliveryStatusInterval = deliveryStatusInterval
    }
}
