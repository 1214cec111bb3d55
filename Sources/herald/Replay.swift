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

    @Flag(name: .long, help: "With --dry-run: show what Secrets hold (webhook paths, tokens) instead of masking it.")
    var showSecrets = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "When a provider's queue is full: block (wait; nothing is lost) or drop (refuse and count).", valueName: "policy"))
    var overflow: String = OverflowPolicy.block.rawValue

    @OptionGroup var pipeline: PipelineOptions

    func validate() throws {
        if manifests.isEmpty { throw ValidationError("--manifests is required (a file or directory of Alerts and Providers)") }
        if OverflowPolicy(rawValue: overflow) == nil { throw ValidationError("--overflow must be block or drop") }
    }

    func run() async throws {
        let logger = HeraldLogging.logger(level: pipeline.level, encoding: pipeline.encoding(default: .console))
        let configuration = ReplayConfiguration(
            manifestPaths: manifests,
            eventsPath: events,
            dryRun: dryRun,
            secrets: showSecrets ? .shown : .masked,
            overflow: OverflowPolicy(rawValue: overflow) ?? .block,
            pipeline: pipeline.configuration
        )
        let transport = try ProcessEnvironment.providerTransport()
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
