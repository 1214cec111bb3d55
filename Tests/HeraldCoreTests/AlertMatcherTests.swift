import HeraldCore
import Testing

@Suite("AlertMatcher (reference §3.2)")
struct AlertMatcherTests {
    func match(_ alert: Alert, _ event: Event, labels: any LabelLookup = NoLabels()) -> AlertMatch {
        AlertMatcher.match(CompiledAlert(alert), event: event, labels: labels)
    }

    @Test("§3.2.1 a suspended Alert matches nothing")
    func suspended() {
        #expect(match(TestValues.alert(suspend: true), TestValues.kustomization()) == .suspended)
        #expect(match(TestValues.alert(suspend: false), TestValues.kustomization()) == .matched)
    }

    @Test("§3.2.2 name * matches any name; otherwise the name must be equal")
    func names() {
        let star = TestValues.alert(sources: [EventSource(kind: "Kustomization", name: "*")])
        #expect(match(star, TestValues.kustomization(name: "anything")) == .matched)
        let exact = TestValues.alert(sources: [EventSource(kind: "Kustomization", name: "webapp")])
        #expect(match(exact, TestValues.kustomization(name: "webapp")) == .matched)
        #expect(match(exact, TestValues.kustomization(name: "webapp2")) == .noSource)
        #expect(match(exact, TestValues.kustomization(name: "Webapp")) == .noSource)
    }

    @Test("§3.2.2 an empty source namespace means the Alert's namespace")
    func emptyNamespaceIsAlertNamespace() {
        let alert = TestValues.alert(namespace: "apps", sources: [EventSource(kind: "Kustomization", name: "*")])
        #expect(match(alert, TestValues.kustomization(namespace: "apps")) == .matched)
        #expect(match(alert, TestValues.kustomization(namespace: "other")) == .noSource)
    }

    @Test("§3.2.2 an Alert selects another namespace by naming it")
    func crossNamespaceByName() {
        let alert = TestValues.alert(namespace: "monitoring", sources: [EventSource(kind: "Kustomization", name: "*", namespace: "apps")])
        #expect(match(alert, TestValues.kustomization(namespace: "apps")) == .matched)
        #expect(match(alert, TestValues.kustomization(namespace: "monitoring")) == .noSource)
    }

    @Test("§3.2.2 kind must be equal, case-sensitive")
    func kindExact() {
        #expect(match(TestValues.alert(sources: [EventSource(kind: "Kustomization", name: "*")]), TestValues.kustomization()) == .matched)
        #expect(match(TestValues.alert(sources: [EventSource(kind: "kustomization", name: "*")]), TestValues.kustomization()) == .noSource)
        #expect(match(TestValues.alert(sources: [EventSource(kind: "HelmRelease", name: "*")]), TestValues.kustomization()) == .noSource)
    }

    struct SeverityCase: Sendable, CustomTestStringConvertible {
        let alert: String
        let event: String
        let matches: Bool
        var testDescription: String { "eventSeverity \(alert), event \(event) → \(matches ? "match" : "no match")" }
    }

    static let severities: [SeverityCase] = [
        SeverityCase(alert: "info", event: "info", matches: true),
        SeverityCase(alert: "info", event: "error", matches: true),
        SeverityCase(alert: "info", event: "trace", matches: true),
        SeverityCase(alert: "info", event: "", matches: true),
        SeverityCase(alert: "error", event: "error", matches: true),
        SeverityCase(alert: "error", event: "info", matches: false),
        SeverityCase(alert: "error", event: "trace", matches: false),
    ]

    @Test("§3.2.2 severity: info accepts every severity, error only error", arguments: severities)
    func severity(_ example: SeverityCase) {
        let result = match(TestValues.alert(severity: example.alert), TestValues.kustomization(severity: example.event))
        #expect(result == (example.matches ? .matched : .noSource))
    }

    @Test("§3.2.2 the source's apiVersion is not compared")
    func apiVersionIgnored() {
        let alert = TestValues.alert(sources: [
            EventSource(apiVersion: "kustomize.toolkit.fluxcd.io/v1beta1", kind: "Kustomization", name: "webapp")
        ])
        #expect(match(alert, TestValues.kustomization()) == .matched)
        let unrelated = TestValues.alert(sources: [EventSource(apiVersion: "example.com/v9", kind: "Kustomization", name: "*")])
        #expect(match(unrelated, TestValues.kustomization()) == .matched)
    }

    @Test("§3.2.2 any matching source is enough")
    func anySource() {
        let alert = TestValues.alert(sources: [
            EventSource(kind: "HelmRelease", name: "*"), EventSource(kind: "Kustomization", name: "webapp"),
        ])
        #expect(match(alert, TestValues.kustomization()) == .matched)
    }

    @Test("§3.2.2 matchLabels nil matches without reading the object")
    func matchLabelsNil() {
        let alert = TestValues.alert(sources: [EventSource(kind: "Kustomization", name: "*", matchLabels: nil)])
        #expect(match(alert, TestValues.kustomization(), labels: NoLabels()) == .matched)
    }

    @Test("§3.2.2 matchLabels {} selects every existing object")
    func matchLabelsEmpty() {
        let alert = TestValues.alert(sources: [EventSource(kind: "Kustomization", name: "*", matchLabels: [:])])
        #expect(match(alert, TestValues.kustomization(), labels: FixedLabels.webapp([:])) == .matched)
        #expect(match(alert, TestValues.kustomization(), labels: FixedLabels.webapp(["x": "y"])) == .matched)
    }

    @Test("§3.2.2 matchLabels: all selector labels must be equal on the object")
    func matchLabelsMatching() {
        let alert = TestValues.alert(sources: [EventSource(kind: "Kustomization", name: "*", matchLabels: ["team": "a", "tier": "web"])])
        #expect(
            match(alert, TestValues.kustomization(), labels: FixedLabels.webapp(["team": "a", "tier": "web", "extra": "1"])) == .matched)
        #expect(match(alert, TestValues.kustomization(), labels: FixedLabels.webapp(["team": "a"])) == .noSource)
        #expect(match(alert, TestValues.kustomization(), labels: FixedLabels.webapp(["team": "b", "tier": "web"])) == .noSource)
    }

    @Test("§3.2.2 matchLabels reads the object by the event's group, kind, namespace and name")
    func matchLabelsLookupKey() {
        let alert = TestValues.alert(sources: [EventSource(kind: "Kustomization", name: "*", matchLabels: ["team": "a"])])
        let wrongGroup = FixedLabels([
            FixedLabels.Entry(group: "example.com", kind: "Kustomization", key: ObjectKey(namespace: "apps", name: "webapp")): ["team": "a"]
        ])
        #expect(match(alert, TestValues.kustomization(), labels: wrongGroup) == .sourceNotFound(TestValues.kustomization().involvedObject))
    }

    @Test("§3.2.2 matchLabels on an object that cannot be read: no match, reported")
    func matchLabelsUnknownObject() {
        let event = TestValues.kustomization()
        let alert = TestValues.alert(sources: [EventSource(kind: "Kustomization", name: "*", matchLabels: ["team": "a"])])
        #expect(match(alert, event, labels: NoLabels()) == .sourceNotFound(event.involvedObject))
        let emptySelector = TestValues.alert(sources: [EventSource(kind: "Kustomization", name: "*", matchLabels: [:])])
        #expect(match(emptySelector, event, labels: NoLabels()) == .sourceNotFound(event.involvedObject))
    }

    @Test("§3.2.3 inclusion list: the message must match at least one regex (unanchored)")
    func inclusion() {
        let alert = TestValues.alert(inclusionList: ["^Health", "finished in [0-9.]+s"])
        #expect(match(alert, TestValues.kustomization(message: "Reconciliation finished in 1.2s, next run in 10m0s")) == .matched)
        #expect(match(alert, TestValues.kustomization(message: "Health check passed")) == .matched)
        #expect(match(alert, TestValues.kustomization(message: "Dependencies do not meet ready condition")) == .message)
    }

    @Test("§3.2.4 exclusion list: any matching regex skips the event")
    func exclusion() {
        let alert = TestValues.alert(exclusionList: ["^Dependencies", "no match here"])
        #expect(match(alert, TestValues.kustomization(message: "Dependencies do not meet ready condition")) == .message)
        #expect(match(alert, TestValues.kustomization(message: "Health check passed")) == .matched)
    }

    @Test("§3.2.3–4 inclusion first, then exclusion, which wins")
    func exclusionWins() {
        let alert = TestValues.alert(inclusionList: ["check"], exclusionList: ["failed"])
        #expect(match(alert, TestValues.kustomization(message: "Health check passed")) == .matched)
        #expect(match(alert, TestValues.kustomization(message: "Health check failed")) == .message)
        #expect(match(alert, TestValues.kustomization(message: "Apply failed")) == .message)
    }

    @Test("§3.2.3 an invalid inclusion regex never matches and is reported")
    func invalidInclusion() {
        let alone = CompiledAlert(TestValues.alert(inclusionList: ["(unclosed"]))
        #expect(AlertMatcher.match(alone, event: TestValues.kustomization(message: "(unclosed"), labels: NoLabels()) == .message)
        #expect(alone.warnings == ["failed to compile inclusion regex: (unclosed (missing ): (unclosed)"])
        let withValid = TestValues.alert(inclusionList: ["(unclosed", "passed"])
        #expect(match(withValid, TestValues.kustomization(message: "Health check passed")) == .matched)
    }

    @Test("§3.2.4 an invalid exclusion regex is ignored (not excluded) and is reported")
    func invalidExclusion() {
        let compiled = CompiledAlert(TestValues.alert(exclusionList: ["[z-a]", "^Dependencies"]))
        #expect(AlertMatcher.match(compiled, event: TestValues.kustomization(message: "[z-a] Health"), labels: NoLabels()) == .matched)
        #expect(
            AlertMatcher.match(compiled, event: TestValues.kustomization(message: "Dependencies not ready"), labels: NoLabels()) == .message
        )
        #expect(compiled.warnings == ["failed to compile exclusion regex: [z-a] (invalid character class range: z-a)"])
    }

    @Test("§3.2 only the message is tested by the regexes, not the reason or metadata")
    func onlyMessageTested() {
        let event = TestValues.kustomization(
            message: "Health check passed", reason: "ReconciliationSucceeded",
            metadata: ["kustomize.toolkit.fluxcd.io/revision": "main@sha1:abc"])
        #expect(match(TestValues.alert(inclusionList: ["ReconciliationSucceeded"]), event) == .message)
        #expect(match(TestValues.alert(inclusionList: ["main@sha1"]), event) == .message)
        #expect(match(TestValues.alert(exclusionList: ["ReconciliationSucceeded", "kustomize-controller", "webapp"]), event) == .matched)
    }

    @Test("§3.2 RE2 syntax used by Flux alerts compiles: classes, alternation, (?i)")
    func re2Syntax() {
        let alert = TestValues.alert(inclusionList: [#"(?i)^health\s+check"#, #"\d+m\d+s|revision"#])
        #expect(match(alert, TestValues.kustomization(message: "HEALTH  check passed")) == .matched)
        #expect(match(alert, TestValues.kustomization(message: "next run in 10m0s")) == .matched)
        #expect(match(alert, TestValues.kustomization(message: "nothing")) == .message)
        #expect(CompiledAlert(alert).warnings.isEmpty)
    }
}
