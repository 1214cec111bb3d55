import HeraldCore

/// What `herald run` and `herald replay` share: how events are filtered, deduplicated, routed and
/// delivered. One type, so a new pipeline flag is added once and means the same in both commands.
public struct PipelineConfiguration: Sendable {
    public var rateLimitInterval: Duration
    /// Most event keys the rate limiter remembers.
    public var rateLimitCapacity: Int
    public var routing: RoutingOptions
    public var eventFilter: EventFilter
    /// Deliveries in flight at once, across all Providers.
    public var concurrency: Int
    /// Notifications queued per Provider.
    public var queueCapacity: Int
    public var retry: RetryPolicy

    public init(
        rateLimitInterval: Duration = .seconds(300), rateLimitCapacity: Int = 10_000, routing: RoutingOptions = RoutingOptions(),
        eventFilter: EventFilter = EventFilter(), concurrency: Int = 4, queueCapacity: Int = 100, retry: RetryPolicy = RetryPolicy()
    ) {
        self.rateLimitInterval = rateLimitInterval
        self.rateLimitCapacity = rateLimitCapacity
        self.routing = routing
        self.eventFilter = eventFilter
        self.concurrency = concurrency
        self.queueCapacity = queueCapacity
        self.retry = retry
    }

    /// The pure pipeline over `snapshot`, with a fresh rate limiter.
    public func makePipeline(snapshot: RoutingSnapshot) -> EventPipeline {
        EventPipeline(
            snapshot: snapshot, options: routing, rateLimiter: EventRateLimiter(interval: rateLimitInterval, capacity: rateLimitCapacity))
    }
}
