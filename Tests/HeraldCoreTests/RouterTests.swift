import HeraldCore
import Testing

@Suite("Router (reference §3.2–§3.4)")
struct RouterTests {
    static let commitMetadata = ["event.toolkit.fluxcd.io/commit": "a1afe267b54f38b46b487f6e938a6fd508278c07"]
    static let commitStatusUpdate = [
        "kustomize.toolkit.fluxcd.io/commit_status": "update",
        "kustomize.toolkit.fluxcd.io/revision": "main@sha1:a1afe267b54f38b46b487f6e938a6fd508278c07",
    ]

    func route(
        _ event: Event, alerts: [Alert], providers: [Provider], labels: any LabelLookup = NoLabels(),
        options: RoutingOptions = RoutingOptions()
    )
        -> (outcomes: [RouteOutcome], warnings: [RouteWarning])
    {
        Router.route(event, table: RoutingTable(alerts: alerts, providers: providers), labels: labels, options: options)
    }

    /// The single outcome of routing `event` through one Alert to one Provider of `type`.
    func single(_ event: Event, type: ProviderType, alert: Alert = TestValues.alert(), provider: Provider? = nil) throws -> RouteOutcome {
        let provider = provider ?? TestValues.provider(type: type)
        var alert = alert
        alert.providerName = provider.key.name
        let result = route(event, alerts: [alert], providers: [provider])
        try #require(result.outcomes.count == 1)
        return result.outcomes[0]
    }

    func notification(_ outcome: RouteOutcome) -> Notification? {
        if case .notify(let notification) = outcome { return notification }
        return nil
    }

    // MARK: §3.2 through the router

    @Test("labels are needed only for the namespace and kind an Alert selects by matchLabels")
    func selectsByLabels() {
        let byLabels = Alert(
            meta: ObjectMeta(key: ObjectKey(namespace: "apps", name: "labels")), providerName: "hook",
            eventSources: [
                EventSource(kind: "Kustomization", name: "*", matchLabels: ["team": "web"]),
                EventSource(kind: "HelmRelease", name: "*", namespace: "other", matchLabels: [:]),
            ])
        let byName = Alert(
            meta: ObjectMeta(key: ObjectKey(namespace: "apps", name: "names")), providerName: "hook",
            eventSources: [EventSource(kind: "GitRepository", name: "*")])
        let table = RoutingTable(alerts: [byLabels, byName], providers: [])
        #expect(table.selectsByLabels(ObjectReference(kind: "Kustomization", namespace: "apps", name: "web")))
        #expect(table.selectsByLabels(ObjectReference(kind: "HelmRelease", namespace: "other", name: "chart")))
        #expect(!table.selectsByLabels(ObjectReference(kind: "Kustomization", namespace: "other", name: "web")))
        #expect(!table.selectsByLabels(ObjectReference(kind: "HelmRelease", namespace: "apps", name: "chart")))
        #expect(!table.selectsByLabels(ObjectReference(kind: "GitRepository", namespace: "apps", name: "repo")))
    }

    @Test("§3.2 an event that matches no Alert gives no outcome")
    func noMatch() {
        let result = route(TestValues.kustomization(namespace: "other"), alerts: [TestValues.alert()], providers: [TestValues.provider()])
        #expect(result.outcomes.isEmpty)
        #expect(result.warnings.isEmpty)
    }

    @Test("§3.2.1 a suspended Alert gives no outcome")
    func suspendedAlert() {
        let result = route(TestValues.kustomization(), alerts: [TestValues.alert(suspend: true)], providers: [TestValues.provider()])
        #expect(result.outcomes.isEmpty)
    }

    @Test("§3.2.2 matchLabels on an unknown object: a warning naming the object, no outcome")
    func unknownObjectWarning() throws {
        let alert = TestValues.alert(sources: [EventSource(kind: "Kustomization", name: "*", matchLabels: ["team": "a"])])
        let result = route(TestValues.kustomization(), alerts: [alert], providers: [TestValues.provider()])
        #expect(result.outcomes.isEmpty)
        let warning = try #require(result.warnings.first)
        #expect(warning.alert == alert.key)
        #expect(warning.message.hasPrefix("error getting source object Kustomization/apps/webapp"))
        #expect(warning.description.hasPrefix("Alert apps/on-call: "))
    }

    @Test("§3.2.2 matchLabels on a known object with matching labels notifies")
    func knownObjectMatches() throws {
        let alert = TestValues.alert(sources: [EventSource(kind: "Kustomization", name: "*", matchLabels: ["team": "a"])])
        let result = route(
            TestValues.kustomization(), alerts: [alert], providers: [TestValues.provider()], labels: FixedLabels.webapp(["team": "a"]))
        #expect(result.outcomes.count == 1)
        #expect(notification(try #require(result.outcomes.first)) != nil)
        #expect(result.warnings.isEmpty)
    }

    // MARK: §3.3

    @Test("§3.3.1 cross-namespace guard off: an Alert may select another namespace")
    func crossNamespaceAllowed() throws {
        let alert = TestValues.alert(namespace: "monitoring", sources: [EventSource(kind: "Kustomization", name: "*", namespace: "apps")])
        let provider = TestValues.provider(namespace: "monitoring")
        let result = route(TestValues.kustomization(namespace: "apps"), alerts: [alert], providers: [provider])
        #expect(notification(try #require(result.outcomes.first)) != nil)
    }

    @Test("§3.3.1 cross-namespace guard on (--no-cross-namespace-refs): failure with Flux's message")
    func crossNamespaceBlocked() throws {
        let alert = TestValues.alert(
            "cross", namespace: "monitoring", sources: [EventSource(kind: "Kustomization", name: "*", namespace: "apps")])
        let provider = TestValues.provider(namespace: "monitoring")
        let result = route(
            TestValues.kustomization(namespace: "apps"), alerts: [alert], providers: [provider],
            options: RoutingOptions(noCrossNamespaceRefs: true))
        let outcome = try #require(result.outcomes.first)
        guard case .failed(let key, let error) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(key == alert.key)
        #expect(
            error.description
                == "discarding event, access denied to cross-namespace sources: alert 'monitoring/cross' can't process event from 'Kustomization/apps/webapp', cross-namespace references have been blocked"
        )
    }

    @Test("§3.3.1 cross-namespace guard on: same-namespace events still notify")
    func crossNamespaceGuardSameNamespace() throws {
        let result = route(
            TestValues.kustomization(), alerts: [TestValues.alert()], providers: [TestValues.provider()],
            options: RoutingOptions(noCrossNamespaceRefs: true))
        #expect(notification(try #require(result.outcomes.first)) != nil)
    }

    @Test("§3.3.2 provider not found (looked up in the Alert's namespace) → failure")
    func providerNotFound() throws {
        let alert = TestValues.alert(provider: "missing")
        let elsewhere = TestValues.provider("missing", namespace: "other")
        let result = route(TestValues.kustomization(), alerts: [alert], providers: [TestValues.provider(), elsewhere])
        let outcome = try #require(result.outcomes.first)
        #expect(outcome == .failed(alert: alert.key, .providerNotFound(ObjectKey(namespace: "apps", name: "missing"))))
        if case .failed(_, let error) = outcome { #expect(error.description.hasPrefix("failed to read provider: ")) }
    }

    @Test("§3.3.3 a suspended Provider is skipped silently")
    func suspendedProvider() throws {
        let outcome = try single(
            TestValues.kustomization(), type: .slack, provider: TestValues.provider(suspend: true, serviceAccountName: "sa"))
        #expect(outcome == .skipped(alert: TestValues.alert().key, .providerSuspended))
    }

    @Test(
        "§3.3.4 commit_status update events go to commit-status and generic/generic-hmac providers",
        arguments: [ProviderType.github, .gitlab, .gitea, .bitbucket, .bitbucketServer, .azureDevOps, .generic, .genericHMAC])
    func commitStatusUpdateDelivered(_ type: ProviderType) throws {
        let outcome = try single(TestValues.kustomization(metadata: Self.commitStatusUpdate), type: type)
        #expect(notification(outcome) != nil, "\(outcome)")
    }

    @Test(
        "§3.3.4 commit_status update events are skipped for every other provider",
        arguments: [ProviderType.slack, .msteams, .discord, .rocket, .githubDispatch, .githubPullRequestComment, .telegram])
    func commitStatusUpdateSkipped(_ type: ProviderType) throws {
        var metadata = Self.commitStatusUpdate
        metadata["event.toolkit.fluxcd.io/change_request"] = "42"
        let outcome = try single(TestValues.kustomization(metadata: metadata), type: type)
        #expect(outcome == .skipped(alert: TestValues.alert().key, .commitStatusUpdateOnly(type)))
    }

    @Test("§3.3.4 commit_status is read on the object-group-prefixed key only")
    func commitStatusPrefixed() throws {
        let userKey = TestValues.kustomization(metadata: ["event.toolkit.fluxcd.io/commit_status": "update"])
        #expect(notification(try single(userKey, type: .slack)) != nil)
        let otherValue = TestValues.kustomization(metadata: ["kustomize.toolkit.fluxcd.io/commit_status": "done"])
        #expect(notification(try single(otherValue, type: .slack)) != nil)
    }

    @Test(
        "§3.3.5 commit-status providers skip info events without commit metadata",
        arguments: [ProviderType.github, .gitlab, .gitea, .bitbucket, .bitbucketServer, .azureDevOps])
    func commitStatusNeedsCommit(_ type: ProviderType) throws {
        let plain = TestValues.kustomization(metadata: [
            "kustomize.toolkit.fluxcd.io/revision": "main@sha1:a1afe267b54f38b46b487f6e938a6fd508278c07"
        ])
        #expect(try single(plain, type: type) == .skipped(alert: TestValues.alert().key, .missingCommitMetadata))
        let emptyCommit = TestValues.kustomization(metadata: ["event.toolkit.fluxcd.io/commit": ""])
        #expect(try single(emptyCommit, type: type) == .skipped(alert: TestValues.alert().key, .missingCommitMetadata))
    }

    @Test(
        "§3.3.5 commit-status providers take events with commit metadata, commit_status update, or severity error",
        arguments: [ProviderType.github, .gitlab])
    func commitStatusAccepted(_ type: ProviderType) throws {
        #expect(notification(try single(TestValues.kustomization(metadata: Self.commitMetadata), type: type)) != nil)
        #expect(notification(try single(TestValues.kustomization(metadata: Self.commitStatusUpdate), type: type)) != nil)
        #expect(notification(try single(TestValues.kustomization(severity: "error"), type: type)) != nil)
    }

    @Test("§3.3.5 the commit key must be the event.toolkit.fluxcd.io one")
    func commitKeyPrefix() throws {
        let controllerCommit = TestValues.kustomization(metadata: [
            "kustomize.toolkit.fluxcd.io/commit": "a1afe267b54f38b46b487f6e938a6fd508278c07"
        ])
        #expect(try single(controllerCommit, type: .github) == .skipped(alert: TestValues.alert().key, .missingCommitMetadata))
    }

    @Test(
        "§3.3.6 change-request providers need non-empty change_request metadata",
        arguments: [ProviderType.githubPullRequestComment, .gitlabMergeRequestComment, .giteaPullRequestComment])
    func changeRequest(_ type: ProviderType) throws {
        #expect(
            try single(TestValues.kustomization(), type: type) == .skipped(alert: TestValues.alert().key, .missingChangeRequestMetadata))
        #expect(
            try single(TestValues.kustomization(metadata: ["event.toolkit.fluxcd.io/change_request": ""]), type: type)
                == .skipped(alert: TestValues.alert().key, .missingChangeRequestMetadata))
        #expect(
            notification(try single(TestValues.kustomization(metadata: ["event.toolkit.fluxcd.io/change_request": "42"]), type: type))
                != nil)
    }

    @Test("§3.3.7 serviceAccountName (object-level workload identity) → failure")
    func serviceAccountName() throws {
        let provider = TestValues.provider(type: .azureDevOps, serviceAccountName: "sa")
        let outcome = try single(TestValues.kustomization(severity: "error"), type: .azureDevOps, provider: provider)
        #expect(outcome == .failed(alert: TestValues.alert().key, .workloadIdentityUnsupported(provider.key)))
    }

    @Test("§4.7 commitStatusExpr: the id is evaluated per Alert against the combined event, alert and provider")
    func commitStatusExpr() throws {
        let provider = TestValues.provider(
            type: .github, commitStatusExpr: "'flux/' + event.involvedObject.name + '/' + alert.metadata.name")
        let outcome = try single(TestValues.kustomization(metadata: Self.commitMetadata), type: .github, provider: provider)
        guard case .notify(let notification) = outcome else {
            Issue.record("expected a notification, got \(outcome)")
            return
        }
        #expect(notification.commitStatusID == "flux/\(notification.event.involvedObject.name)/\(TestValues.alert().key.name)")
    }

    @Test("§4.7 commitStatusExpr: a missing key fails this Alert's notification with Flux's wording")
    func commitStatusExprMissingKey() throws {
        let provider = TestValues.provider(type: .github, commitStatusExpr: "event.metadata.notfound")
        let outcome = try single(TestValues.kustomization(metadata: Self.commitMetadata), type: .github, provider: provider)
        #expect(outcome == .failed(alert: TestValues.alert().key, .commitStatusExpression(provider.key, .noSuchKey("notfound"))))
        if case .failed(_, let error) = outcome {
            #expect(
                error.description
                    == "failed to create commit status: failed to evaluate the spec.commitStatusExpr CEL expression for the event: "
                    + "failed to evaluate the CEL expression: no such key: notfound")
        }
    }

    // MARK: §3.4

    @Test("§3.4 controller metadata and annotations reach providers un-prefixed; token is removed")
    func unprefixedAndTokenRemoved() throws {
        let event = TestValues.kustomization(metadata: [
            "kustomize.toolkit.fluxcd.io/revision": "main@sha1:abc", "kustomize.toolkit.fluxcd.io/token": "secret-ish",
            "event.toolkit.fluxcd.io/deploymentID": "42",
        ])
        let sent = try #require(notification(try single(event, type: .generic)))
        #expect(sent.event.metadata == ["revision": "main@sha1:abc", "deploymentID": "42"])
        #expect(sent.conflicts.isEmpty)
        var expected = event
        expected.metadata = sent.event.metadata
        #expect(sent.event == expected)
    }

    @Test("§3.4 precedence: annotations < eventMetadata < summary < controller metadata; conflicts list sources in order")
    func precedenceAndConflicts() throws {
        let event = TestValues.kustomization(metadata: [
            "event.toolkit.fluxcd.io/summary": "from annotation",
            "event.toolkit.fluxcd.io/env": "annotation-env",
            "event.toolkit.fluxcd.io/owner": "team-a",
            "kustomize.toolkit.fluxcd.io/env": "controller-env",
            "kustomize.toolkit.fluxcd.io/revision": "main@sha1:abc",
        ])
        let alert = TestValues.alert(
            eventMetadata: ["env": "alert-env", "cluster": "prod", "owner": "alert-owner"], summary: "alert summary")
        let sent = try #require(notification(try single(event, type: .generic, alert: alert)))
        #expect(
            sent.event.metadata == [
                "summary": "alert summary", "env": "controller-env", "owner": "alert-owner", "cluster": "prod", "revision": "main@sha1:abc",
            ])
        #expect(sent.conflicts.map(\.key) == ["env", "owner", "summary"])
        #expect(
            sent.conflicts.map(\.sources) == [
                ["involved object annotations", "Alert object .spec.eventMetadata", "involved object controller metadata"],
                ["involved object annotations", "Alert object .spec.eventMetadata"],
                ["involved object annotations", "Alert object .spec.summary"],
            ])
    }

    struct PrecedenceCase: Sendable, CustomTestStringConvertible {
        let name: String
        let metadata: [String: String]
        let eventMetadata: [String: String]
        let summary: String
        let winner: String
        var testDescription: String { name }
    }

    static let pairs: [PrecedenceCase] = [
        PrecedenceCase(
            name: "eventMetadata beats annotations", metadata: ["event.toolkit.fluxcd.io/summary": "annotation"],
            eventMetadata: ["summary": "eventMetadata"], summary: "", winner: "eventMetadata"),
        PrecedenceCase(
            name: "spec.summary beats eventMetadata.summary", metadata: [:], eventMetadata: ["summary": "eventMetadata"],
            summary: "spec.summary", winner: "spec.summary"),
        PrecedenceCase(
            name: "spec.summary beats annotations", metadata: ["event.toolkit.fluxcd.io/summary": "annotation"], eventMetadata: [:],
            summary: "spec.summary", winner: "spec.summary"),
        PrecedenceCase(
            name: "controller metadata beats spec.summary", metadata: ["kustomize.toolkit.fluxcd.io/summary": "controller"],
            eventMetadata: [:], summary: "spec.summary", winner: "controller"),
        PrecedenceCase(
            name: "controller metadata beats annotations",
            metadata: ["kustomize.toolkit.fluxcd.io/summary": "controller", "event.toolkit.fluxcd.io/summary": "annotation"],
            eventMetadata: [:], summary: "", winner: "controller"),
    ]

    @Test("§3.4 precedence, pair by pair", arguments: pairs)
    func precedencePairs(_ example: PrecedenceCase) throws {
        let alert = TestValues.alert(eventMetadata: example.eventMetadata, summary: example.summary)
        let sent = try #require(
            notification(try single(TestValues.kustomization(metadata: example.metadata), type: .generic, alert: alert)))
        #expect(sent.event.metadata["summary"] == example.winner)
        #expect(sent.conflicts.count == 1)
    }

    @Test("§3.4 Alert eventMetadata and summary reach providers even when the event has no metadata")
    func alertOnlyMetadata() throws {
        let alert = TestValues.alert(eventMetadata: ["env": "prod"], summary: "Cluster addons")
        let sent = try #require(notification(try single(TestValues.kustomization(), type: .slack, alert: alert)))
        #expect(sent.event.metadata == ["env": "prod", "summary": "Cluster addons"])
    }

    @Test("§3.6 each Alert gets its own combined copy; the original event is reused")
    func copiesPerAlert() throws {
        let event = TestValues.kustomization(metadata: ["kustomize.toolkit.fluxcd.io/revision": "r"])
        let first = TestValues.alert("a", eventMetadata: ["env": "one"])
        let second = TestValues.alert("b", eventMetadata: ["team": "two"])
        let result = route(event, alerts: [first, second], providers: [TestValues.provider()])
        let sent = result.outcomes.compactMap(notification)
        #expect(sent.map(\.event.metadata) == [["revision": "r", "env": "one"], ["revision": "r", "team": "two"]])
    }

    @Test("outcomes are ordered by Alert namespace/name, whatever the input order")
    func outcomeOrder() {
        let alerts = [
            TestValues.alert("zeta", namespace: "apps"),
            TestValues.alert("x", namespace: "infra", sources: [EventSource(kind: "Kustomization", name: "*", namespace: "apps")]),
            TestValues.alert("alpha", namespace: "apps"),
            TestValues.alert("beta", namespace: "apps", provider: "missing"),
        ]
        let providers = [TestValues.provider(namespace: "apps"), TestValues.provider(namespace: "infra")]
        let result = route(TestValues.kustomization(), alerts: alerts, providers: providers)
        let keys: [ObjectKey] = result.outcomes.map { outcome in
            switch outcome {
            case .notify(let notification): notification.alert.key
            case .skipped(let alert, _), .failed(let alert, _): alert
            }
        }
        #expect(
            keys == [
                ObjectKey(namespace: "apps", name: "alpha"), ObjectKey(namespace: "apps", name: "beta"),
                ObjectKey(namespace: "apps", name: "zeta"), ObjectKey(namespace: "infra", name: "x"),
            ])
    }

    @Test("one Provider, several matching Alerts: one notification per Alert")
    func severalAlertsSameProvider() {
        let result = route(
            TestValues.kustomization(), alerts: [TestValues.alert("a"), TestValues.alert("b")], providers: [TestValues.provider()])
        #expect(result.outcomes.compactMap(notification).map(\.provider.key) == [TestValues.provider().key, TestValues.provider().key])
    }
}

@Suite("--cluster-name")
struct ClusterNameTests {
    @Test("adds metadata cluster to every notification, below an Alert's eventMetadata and the event's own")
    func precedence() {
        let event = TestValues.kustomization(metadata: [:])
        let (plain, conflicts) = MetadataCombiner.combine(event, alert: TestValues.alert(), clusterName: "edge-7")
        #expect(plain.metadata["cluster"] == "edge-7")
        #expect(conflicts.isEmpty)
        let (overridden, _) = MetadataCombiner.combine(
            event, alert: TestValues.alert(eventMetadata: ["cluster": "from-alert"]), clusterName: "edge-7")
        #expect(overridden.metadata["cluster"] == "from-alert")
        let (none, _) = MetadataCombiner.combine(event, alert: TestValues.alert())
        #expect(none.metadata["cluster"] == nil)
    }
}
