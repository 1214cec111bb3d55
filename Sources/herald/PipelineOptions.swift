import ArgumentParser
import HeraldAgent
import HeraldCore
import Logging

/// Flags shared by `herald replay` and `herald run`: how events are filtered, deduplicated and delivered.
struct PipelineOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Window in which identical events are sent once (Go duration).", valueName: "duration"))
    var rateLimitInterval: String = "5m"

    @Option(
        name: .long, help: ArgumentHelp("Most event keys the rate limiter remembers; the least recently seen is evicted.", valueName: "n"))
    var rateLimitCacheSize: Int = 10_000

    @Flag(name: .long, help: "Alerts may only select objects in their own namespace.")
    var noCrossNamespaceRefs = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Added to every notification as metadata `cluster` (Slack fields, Teams facts, event.metadata.cluster in commitStatusExpr), unless an Alert or the event sets it.",
            valueName: "name"))
    var clusterName: String = ""

    @Option(name: .long, help: ArgumentHelp("Deliveries in flight at once, across all providers.", valueName: "n"))
    var concurrency: Int = 4

    @Option(name: .long, help: ArgumentHelp("Notifications queued per provider.", valueName: "n"))
    var queueSize: Int = 100

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A Normal Event reason treated as a Flux trace event and dropped, as Reason or Reason:message-prefix. Repeatable; replaces the built-in list.",
            valueName: "reason"))
    var traceReason: [String] = []

    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, warning, error.", valueName: "level"))
    var logLevel: String = "info"

    @Option(
        name: .long, help: ArgumentHelp("Log format: console (one readable line) or json (one object per line).", valueName: "encoding"))
    var logEncoding: String?

    func validate() throws {
        if let logEncoding, LogEncoding(rawValue: logEncoding) == nil { throw ValidationError("--log-encoding must be console or json") }
        guard let interval = GoDuration.parse(rateLimitInterval), interval > .zero else {
            throw ValidationError("--rate-limit-interval: \"\(rateLimitInterval)\" is not a positive Go duration such as 5m or 30s")
        }
        if clusterName.utf8.count > 253 || clusterName.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 32 } == true }) {
            throw ValidationError("--cluster-name must be one line of at most 253 bytes")
        }
        if rateLimitCacheSize < 1 { throw ValidationError("--rate-limit-cache-size must be at least 1") }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if queueSize < 1 { throw ValidationError("--queue-size must be at least 1") }
        if Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of trace, debug, info, warning, error")
        }
        for rule in traceReason where TraceRule(parsing: rule) == nil {
            throw ValidationError("--trace-reason: \"\(rule)\" has no reason")
        }
    }

    var interval: Duration { GoDuration.parse(rateLimitInterval) ?? .seconds(300) }
    var level: Logger.Level { Logger.Level(rawValue: logLevel) ?? .info }

    /// The chosen encoding, or the command's default (json in a cluster, console for replay).
    func encoding(default fallback: LogEncoding) -> LogEncoding { logEncoding.flatMap(LogEncoding.init(rawValue:)) ?? fallback }

    /// The flags as the configuration both commands share.
    var configuration: PipelineConfiguration {
        PipelineConfiguration(
            rateLimitInterval: interval, rateLimitCapacity: rateLimitCacheSize,
            routing: RoutingOptions(noCrossNamespaceRefs: noCrossNamespaceRefs, clusterName: clusterName), eventFilter: eventFilter,
            concurrency: concurrency, queueCapacity: queueSize)
    }

    var eventFilter: EventFilter {
        var filter = EventFilter()
        if !traceReason.isEmpty { filter.traceRules = traceReason.compactMap(TraceRule.init(parsing:)) }
        return filter
    }
}

/// Parses a positive Go duration flag or explains which flag is wrong.
func durationFlag(_ name: String, _ text: String, allowZero: Bool = false) throws -> Duration {
    guard let value = GoDuration.parse(text), allowZero ? value >= .zero : value > .zero else {
        throw ValidationError("\(name): \"\(text)\" is not a \(allowZero ? "" : "positive ")Go duration such as 30s or 5m")
    }
    return value
}
