import ArgumentParser
import HeraldAgent
import HeraldCore
import HeraldJSON

/// `herald explain`: why an event did or did not become a notification.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain every decision the pipeline takes for one event.",
        discussion: """
            Reads Alerts, Providers and Secrets from --manifests and prints, for one event of --events, each \
            decision in order: the trace filter, the metadata clean-up, the rate-limit key and whether it was \
            seen, then for every Alert each filter step, the provider checks and the request that would be \
            sent (credentials redacted). Nothing is sent. The lines before --line go through the pipeline \
            first, so rate limiting is what a replay of the file would see.

            Exit status: 0 at least one notification would be sent; 1 none would; 2 invalid command line, \
            manifests or event line.
            """
    )

    @Option(
        name: .long,
        help: ArgumentHelp("A manifest file or directory (*.yaml, *.yml, *.json, read recursively). Repeatable.", valueName: "path"))
    var manifests: [String] = []

    @Option(name: .long, help: ArgumentHelp("A JSON-lines file of events, or - for standard input.", valueName: "path"))
    var events: String

    @Option(name: .long, help: ArgumentHelp("The line of --events to explain (the first is 1).", valueName: "n"))
    var line: Int = 1

    @Option(
        name: .long,
        help: ArgumentHelp(
            "An Event in the cluster; not implemented yet: export it with kubectl get event NAME -n NS -o json and pass the file.",
            valueName: "namespace/name"))
    var event: String?

    @Option(name: .long, help: ArgumentHelp("text or json.", valueName: "format"))
    var output: String = "text"

    @OptionGroup var pipeline: PipelineOptions

    func validate() throws {
        if let event {
            throw ValidationError(
                "--event \(event): reading the Event from the cluster is not implemented yet; run kubectl get event -n NAMESPACE NAME -o json > event.json and pass --events event.json"
            )
        }
        if manifests.isEmpty { throw ValidationError("--manifests is required (a file or directory of Alerts and Providers)") }
        if line < 1 { throw ValidationError("--line must be at least 1") }
        if !["text", "json"].contains(output) { throw ValidationError("--output must be text or json") }
    }

    func run() async throws {
        let logger = HeraldLogging.logger(level: pipeline.level, encoding: pipeline.encoding(default: .console))
        let snapshot: RoutingSnapshot
        do {
            snapshot = try ManifestSet.loadSnapshot(paths: manifests, logger: logger)
        } catch {
            FileOutput.standardError.write("herald: invalid manifests: \(error)\n")
            throw ExitCode(2)
        }
        let routing = RoutingOptions(noCrossNamespaceRefs: pipeline.noCrossNamespaceRefs, clusterName: pipeline.clusterName)
        let start = EventPipeline(
            snapshot: snapshot, options: routing,
            rateLimiter: EventRateLimiter(interval: pipeline.interval, capacity: pipeline.rateLimitCacheSize))
        let explanation: Explanation
        do {
            explanation = try await Explainer.explain(line: line, of: events, pipeline: start, filter: pipeline.eventFilter)
        } catch {
            FileOutput.standardError.write("herald: \(error)\n")
            throw ExitCode(2)
        }
        let stdout = FileOutput.standardOutput
        if output == "json" {
            stdout.write(JSONWriter.string(Explainer.json(explanation), escapeHTML: false) + "\n")
        } else {
            stdout.write(Explainer.text(explanation))
        }
        stdout.flush()
        throw ExitCode(explanation.exitCode)
    }
}
