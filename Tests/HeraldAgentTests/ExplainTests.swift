import Foundation
import HeraldAgent
import HeraldCore
import HeraldJSON
import HeraldNotifiers
import Synchronization
import Testing

/// `herald explain` tells the same story as the pipeline: its verdict is replay's, step by step.
@Suite("herald explain")
struct ExplainTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every routing case the examples hold: the Flux guide's manifests and one Provider per type.
    static var cases: [(manifests: String, events: String)] {
        let events = root.appendingPathComponent("examples/events.jsonl").path
        let changeRequests = root.appendingPathComponent("examples/providers/change-request-events.jsonl").path
        var cases = [(root.appendingPathComponent("examples/manifests").path, events)]
        for type in ProviderType.allCases where NotifierFactory.supportedTypes.contains(type) {
            cases.append(
                (
                    root.appendingPathComponent("examples/providers/\(type.rawValue).yaml").path,
                    type.isChangeRequest ? changeRequests : events
                ))
        }
        return cases
    }

    /// Stands in for the network: a dry run never sends.
    struct NoNetwork: Transport {
        func send(
            _ request: OutgoingRequest, options: TransportOptions, deadline: ContinuousClock.Instant
        ) async throws(TransportError) -> ProviderResponse {
            throw .invalidRequest("a dry run sends nothing")
        }
    }

    @Test("line by line, explain's requests are exactly what replay --dry-run prints, and its exit status says whether any is sent")
    func agreesWithReplay() async throws {
        for (manifests, events) in Self.cases {
            let runner = ReplayRunner(
                configuration: ReplayConfiguration(manifestPaths: [manifests], eventsPath: events, dryRun: true), transport: NoNetwork(),
                logger: AgentFixtures.logger)
            let snapshot = try runner.loadSnapshot()
            let printed = Mutex<[String]>([])
            _ = try await runner.run(snapshot: snapshot) { line in printed.withLock { $0.append(line) } }

            let lineCount = try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n").count
            var explained: [String] = []
            for number in 1...lineCount {
                let explanation = try await Explainer.explain(
                    line: number, of: events,
                    pipeline: EventPipeline(snapshot: snapshot, options: RoutingOptions(), rateLimiter: EventRateLimiter()),
                    filter: EventFilter())
                let json = Explainer.json(explanation)
                let requests = json["alerts"]?.arrayValue?.flatMap { $0["requests"]?.arrayValue ?? [] } ?? []
                explained += requests.map { JSONWriter.string($0, escapeHTML: false) }
                #expect(explanation.exitCode == (requests.isEmpty ? 1 : 0), "\(manifests) line \(number)")
                #expect(json["verdict"] == (requests.isEmpty ? "none" : "send"))
            }
            #expect(explained == printed.withLock { $0 }, "\(manifests)")
        }
    }

    static func event(message: String, severity: String = "info", reason: String = "ReconciliationSucceeded") -> DecodedEvent {
        .event(
            Event(
                involvedObject: ObjectReference(
                    kind: "Kustomization", namespace: "apps", name: "webapp", apiVersion: "kustomize.toolkit.fluxcd.io/v1"),
                severity: severity, timestamp: FluxTimestamp(secondsSinceEpoch: 1_764_000_000), message: message, reason: reason,
                metadata: ["kustomize.toolkit.fluxcd.io/digest": "sha256:1b0a7e3c"], reportingController: "kustomize-controller",
                reportingInstance: ""),
            origin: .flux)
    }

    static func pipeline(_ alerts: [Alert]) -> EventPipeline {
        let provider = Provider(
            meta: ObjectMeta(key: ObjectKey(namespace: "apps", name: "hook")), type: .generic, address: "https://hooks.example/x")
        return EventPipeline(
            snapshot: RoutingSnapshot(alerts: alerts, providers: [provider], secrets: [:], labels: NoLabels()), options: RoutingOptions(),
            rateLimiter: EventRateLimiter())
    }

    static func alert(
        _ name: String, sources: [EventSource] = [EventSource(kind: "Kustomization", name: "*")], severity: String = "info",
        inclusions: [String] = [], exclusions: [String] = [], suspend: Bool = false
    ) -> Alert {
        Alert(
            meta: ObjectMeta(key: ObjectKey(namespace: "apps", name: name)), providerName: "hook", eventSeverity: severity,
            eventSources: sources, inclusionList: inclusions, exclusionList: exclusions, suspend: suspend)
    }

    @Test("each filter step is named with its result, in the order the matcher takes them")
    func steps() {
        var pipeline = Self.pipeline([
            Self.alert("a-excluded", exclusions: ["^nothing$", "applied"]),
            Self.alert("b-errors-only", severity: "error"),
            Self.alert(
                "c-second-source",
                sources: [EventSource(kind: "Kustomization", name: "other"), EventSource(kind: "Kustomization", name: "webapp")],
                inclusions: ["(unclosed", "applied"]),
            Self.alert("d-suspended", suspend: true),
            Self.alert("e-other-kind", sources: [EventSource(kind: "GitRepository", name: "*")]),
        ])
        let explanation = Explainer.explain(Self.event(message: "applied revision"), pipeline: &pipeline, now: 0)
        let text = Explainer.text(explanation)
        let expected = """
            metadata clean-up: removed kustomize.toolkit.fluxcd.io/digest
            rate limit: key "event/name=webapp/namespace=apps/kind=Kustomization/message=applied revision": first in its window; passes
            alerts: 5
              Alert apps/a-excluded
                suspended: no
                source 1 (Kustomization/*): matched
                exclusion "^nothing$": no match
                exclusion "applied": matched
                → not matched: the message is filtered by inclusionList/exclusionList
              Alert apps/b-errors-only
                suspended: no
                source 1 (Kustomization/*): severity filtered (the Alert wants error)
                → not matched: no event source selects the object
              Alert apps/c-second-source
                suspended: no
                source 1 (Kustomization/other): other name
                source 2 (Kustomization/webapp): matched
                inclusion "(unclosed": does not compile (an inclusion then never matches, an exclusion is ignored)
                inclusion "applied": matched
                → matched
                provider apps/hook (generic): checks passed
            """
        #expect(text.contains(expected), "\(text)")
        #expect(text.contains("  Alert apps/d-suspended\n    suspended: yes\n    → not matched: the Alert is suspended"))
        #expect(text.contains("  Alert apps/e-other-kind\n    not tested: no event source names this kind in this namespace"))
        #expect(text.hasSuffix("verdict: 1 notification(s) would be sent\n"))
        #expect(explanation.exitCode == 0)

        let again = Explainer.explain(Self.event(message: "applied revision"), pipeline: &pipeline, now: 1)
        #expect(Explainer.text(again).contains("already seen in this window; dropped\nverdict: no notification"))
        #expect(again.exitCode == 1)
    }

    @Test("an event the trace filter ignores stops there, with the rule that ignored it")
    func traced() {
        var pipeline = Self.pipeline([Self.alert("all")])
        let explanation = Explainer.explain(.ignored(.trace(TraceRule(reason: "Progressing"))), pipeline: &pipeline, now: 0)
        let text = Explainer.text(explanation)
        #expect(text.hasPrefix("trace filter: ignored: "), "\(text)")
        #expect(text.contains("Progressing"))
        #expect(text.hasSuffix("verdict: no notification (the event never reaches the Alerts)\n"))
        #expect(explanation.exitCode == 1)
        #expect(Explainer.json(explanation)["verdict"] == "none")
    }
}
