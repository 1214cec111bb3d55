import ArgumentParser
import HeraldAgent
import HeraldCore
import Logging

/// `herald replay`: the whole pipeline on files, no cluster needed.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay events against Alert and Provider manifests.",
        discussion: """
            Reads Alerts, Providers and Secrets from --manifests, then events (JSON lines: Flux events, \
            core/v1 Events or watch events) from --events, and sends the matching notifications, or prints \
            them with --dry-run.

            Exit status: 0 all delivered (or rendered); 1 a delivery failed or an event line was invalid; \
            2 invalid command line or manifests (nothing is sent).
            """
    )

    @Option(
        name: .long,
        help: ArgumentHelp("A manifest file or directory (*.yaml, *.yml, *.json, read recursively). Repeatable.", valueName: "path"))
    var manifests: [String] = []

    @Option(
        name: .long, help: ArgumentHelp("A JSON-lines file of events, or - for standard input (read as it arrives).", valueName: "path"))
    var events: String

    @Flag(name: .long, help: "Send nothing; print one JSON object per notification on standard output.")
    var dryRun = false

    @Option(name: .long, help: ArgumentHelp("Window in which identical events are sent once (Go duration).", valueName: "duration"))
    var rateLimitInterval: String = "5m"

    @Option(
        name: .long, help: ArgumentHelp("Most event keys the rate limiter remembers; the least recently seen is evicted.", valueName: "n"))
    var rateLimitCacheSize: Int = 10_000

    @Flag(name: .long, help: "Alerts may only select objects in their own namespace.")
    var noCrossNamespaceRefs = false

    @Option(name: .long, help: ArgumentHelp("Deliveries in flight at once, across all providers.", valueName: "n"))
    var concurrency: Int = 4

    @Option(name: .long, help: ArgumentHelp("Notifications queued per provider.", valueName: "n"))
    var queueSize: Int = 100

    @Option(
        name: .long,
        help: ArgumentHelp(
            "When a provider's queue is full: block (wait; nothing is lost) or drop (refuse and count).", valueName: "policy"))
    var overflow: String = OverflowPolicy.block.rawValue

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A Normal Event reason treated as a Flux trace event and dropped, as Reason or Reason:message-prefix. Repeatable; replaces the built-in list.",
            valueName: "reason"))
    var traceReason: [String] = []

    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, warning, error.", valueName: "level"))
    var logLevel: String = "info"

    func validate() throws {
        if manifests.isEmpty { throw ValidationError("--manifests is required (a file or directory of Alerts and Providers)") }
        guard let interval = GoDuration.parse(rateLimitInterval), interval > .zero else {
            throw ValidationError("--rate-limit-interval: \"\(rateLimitInterval)\" is not a positive Go duration such as 5m or 30s")
        }
        _ = interval
        if rateLimitCacheSize < 1 { throw ValidationError("--rate-limit-cache-size must be at least 1") }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if queueSize < 1 { throw ValidationError("--queue-size must be at least 1") }
        if OverflowPolicy(rawValue: overflow) == nil { throw ValidationError("--overflow must be block or drop") }
        if Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of trace, debug, info, warning, error")
        }
        for rule in traceReason where TraceRule(parsing: rule) == nil {
            throw ValidationError("--trace-reason: \"\(rule)\" has no reason")
        }
    }

    func run() async throws {
        let logger = HeraldLogging.logger(level: Logger.Level(rawValue: logLevel) ?? .info)
        var filter = EventFilter()
        if !traceReason.isEmpty { filter.traceRules = traceReason.compactMap(TraceRule.init(parsing:)) }
        let configuration = ReplayConfiguration(
            manifestPaths: manifests,
            eventsPath: events,
            dryRun: dryRun,
            rateLimitInterval: GoDuration.parse(rateLimitInterval) ?? .seconds(300),
            rateLimitCapacity: rateLimitCacheSize,
            routing: RoutingOptions(noCrossNamespaceRefs: noCrossNamespaceRefs),
            concurrency: concurrency,
            queueCapacity: queueSize,
            overflow: OverflowPolicy(rawValue: overflow) ?? .block,
            eventFilter: filter
        )
        let transport = HTTPTransport()
        let runner = ReplayRunner(configuration: configuration, transport: transport, logger: logger)
        let snapshot: RoutingSnapshot
        do {
            snapshot = try runner.loadSnapshot()
        } catch {
            FileOutput.standardError.write("herald: invalid manifests: \(error)\n")
            await transport.shutdown()
            throw ExitCode(2)
        }
        let stdout = FileOutput.standardOutput
        let summary: ReplaySummary
        do {
            summary = try await runner.run(snapshot: snapshot, output: { stdout.write($0 + "\n") }, flush: { stdout.flush() })
        } catch {
            FileOutput.standardError.write("herald: \(error)\n")
            await transport.shutdown()
            throw ExitCode(2)
        }
        await transport.shutdown()
        throw ExitCode(summary.exitCode)
    }
}
