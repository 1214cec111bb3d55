import ArgumentParser
import HeraldAgent
import HeraldCore
import HeraldJSON
import HeraldKube
import Logging

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

            With --event NAMESPACE/NAME, the Event, the Alerts and Providers, their Secrets and the involved \
            object's labels are read from the cluster instead (kubeconfig, KUBECONFIG, the in-cluster service \
            account or ~/.kube/config), as herald run reads them. The rate limiter then starts empty: a running \
            Herald may have rate-limited the event although explain passes it.

            Exit status: 0 at least one notification would be sent; 1 none would; 2 invalid command line, \
            manifests or event line.
            """
    )

    @Option(
        name: .long,
        help: ArgumentHelp("A manifest file or directory (*.yaml, *.yml, *.json, read recursively). Repeatable.", valueName: "path"))
    var manifests: [String] = []

    @Option(name: .long, help: ArgumentHelp("A JSON-lines file of events, or - for standard input.", valueName: "path"))
    var events: String?

    @Option(name: .long, help: ArgumentHelp("The line of --events to explain (the first is 1).", valueName: "n"))
    var line: Int = 1

    @Option(
        name: .long,
        help: ArgumentHelp(
            "An Event in the cluster, explained with the cluster's Alerts, Providers and Secrets (instead of --events and --manifests).",
            valueName: "namespace/name"))
    var event: String?

    @OptionGroup(title: "With --event") var cluster: KubeconfigOptions

    @Option(
        name: .long,
        help: ArgumentHelp("With --event: read Alerts and Providers of this namespace only (default: all).", valueName: "namespace"))
    var watchNamespace: String?

    @Option(name: .long, help: ArgumentHelp("text or json.", valueName: "format"))
    var output: String = "text"

    @Flag(name: .long, help: "Show what Secrets hold (webhook paths, tokens) in the requests instead of masking it.")
    var showSecrets = false

    var secretDisplay: SecretDisplay { showSecrets ? .shown : .masked }

    @OptionGroup var pipeline: PipelineOptions

    func validate() throws {
        if !["text", "json"].contains(output) { throw ValidationError("--output must be text or json") }
        if let event {
            guard eventKey != nil else { throw ValidationError("--event must be namespace/name, got \"\(event)\"") }
            guard events == nil, manifests.isEmpty else {
                throw ValidationError("--event reads everything from the cluster: leave out --events and --manifests")
            }
            return
        }
        guard events != nil else { throw ValidationError("--events (a file, or - for standard input) or --event is required") }
        if manifests.isEmpty { throw ValidationError("--manifests is required (a file or directory of Alerts and Providers)") }
        if line < 1 { throw ValidationError("--line must be at least 1") }
    }

    var eventKey: ObjectKey? {
        let parts = (event ?? "").split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return ObjectKey(namespace: String(parts[0]), name: String(parts[1]))
    }

    func run() async throws {
        let logger = HeraldLogging.logger(level: pipeline.level, encoding: pipeline.encoding(default: .console))
        let explanation: Explanation
        do {
            if let key = eventKey {
                explanation = try await explainFromCluster(key, logger: logger)
            } else {
                explanation = try await explainFromFiles(logger: logger)
            }
        } catch {
            FileOutput.standardError.write("herald: \(error)\n")
            throw ExitCode(2)
        }
        let stdout = FileOutput.standardOutput
        if output == "json" {
            stdout.write(JSONWriter.string(Explainer.json(explanation, secrets: secretDisplay), escapeHTML: false) + "\n")
        } else {
            stdout.write(Explainer.text(explanation, secrets: secretDisplay))
        }
        stdout.flush()
        throw ExitCode(explanation.exitCode)
    }

    private func makePipeline(snapshot: RoutingSnapshot) -> EventPipeline {
        EventPipeline(
            snapshot: snapshot,
            options: RoutingOptions(noCrossNamespaceRefs: pipeline.noCrossNamespaceRefs, clusterName: pipeline.clusterName),
            rateLimiter: EventRateLimiter(interval: pipeline.interval, capacity: pipeline.rateLimitCacheSize))
    }

    private func explainFromFiles(logger: Logger) async throws -> Explanation {
        let snapshot: RoutingSnapshot
        do {
            snapshot = try ManifestSet.loadSnapshot(paths: manifests, logger: logger)
        } catch {
            throw ExplainInputError(description: "invalid manifests: \(error)")
        }
        return try await Explainer.explain(
            line: line, of: events ?? "-", pipeline: makePipeline(snapshot: snapshot), filter: pipeline.eventFilter)
    }

    private func explainFromCluster(_ key: ObjectKey, logger: Logger) async throws -> Explanation {
        let config = try cluster.load()
        let client = try KubeClient(config: config)
        let reading: ClusterExplainReader.Reading
        do {
            reading = try await ClusterExplainReader(client: client, watchNamespace: watchNamespace, logger: logger)
                .read(event: key, filter: pipeline.eventFilter)
            await client.shutdown()
        } catch {
            await client.shutdown()
            throw error
        }
        for invalid in reading.invalidObjects { logger.warning("left out, as herald run leaves it out: \(invalid)") }
        var eventPipeline = makePipeline(snapshot: reading.snapshot)
        return Explainer.explain(reading.event, pipeline: &eventPipeline, now: 0)
    }
}

/// Why `explain` could not read its input.
struct ExplainInputError: Error, CustomStringConvertible {
    var description: String
}
