import HeraldCore
import HeraldJSON
import Testing

@Suite("ManifestDecoder (reference §2)")
struct ManifestDecoderTests {
    // MARK: helpers

    func decodeYAML(_ yaml: String) throws -> FluxObject {
        let documents = try YAMLDocuments.parse(yaml)
        try #require(documents.count == 1)
        return try ManifestDecoder.decode(documents[0])
    }

    func alertYAML(_ version: FluxAPIVersion, spec: String, name: String = "on-call", namespace: String = "flux-system") -> String {
        """
        apiVersion: \(version.apiVersion)
        kind: Alert
        metadata:
          name: \(name)
          namespace: \(namespace)
        spec:
        \(spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
        """
    }

    func providerYAML(_ version: FluxAPIVersion, spec: String, name: String = "slack", namespace: String = "flux-system") -> String {
        """
        apiVersion: \(version.apiVersion)
        kind: Provider
        metadata:
          name: \(name)
          namespace: \(namespace)
        spec:
        \(spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
        """
    }

    func alert(_ yaml: String) throws -> Alert {
        guard case .alert(let alert) = try decodeYAML(yaml) else { throw Mismatch() }
        return alert
    }

    func provider(_ yaml: String) throws -> Provider {
        guard case .provider(let provider) = try decodeYAML(yaml) else { throw Mismatch() }
        return provider
    }

    func secret(_ yaml: String) throws -> Secret {
        guard case .secret(let secret) = try decodeYAML(yaml) else { throw Mismatch() }
        return secret
    }

    struct Mismatch: Error {}

    /// The error decoding `yaml` gives, checked to name `namespace/name` and `field`.
    func expectError(
        _ yaml: String, kind: String, object: String = "flux-system/on-call", field: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            let decoded = try decodeYAML(yaml)
            Issue.record("expected an error on \(field), decoded \(decoded)", sourceLocation: sourceLocation)
        } catch let error as ManifestError {
            #expect(error.kind == kind, sourceLocation: sourceLocation)
            #expect(error.object == object, sourceLocation: sourceLocation)
            #expect(error.field == field, "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("\(kind) \(object): \(field): "), sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    static let minimalAlertSpec = "providerRef:\n  name: slack\neventSources:\n  - kind: Kustomization\n    name: '*'"

    // MARK: the Flux guide

    static let guideSlackProvider = """
        apiVersion: notification.toolkit.fluxcd.io/v1beta1
        kind: Provider
        metadata:
          name: slack
          namespace: flux-system
        spec:
          type: slack
          channel: general
          secretRef:
            name: slack-url
        """

    static let guideAlert = """
        apiVersion: notification.toolkit.fluxcd.io/v1beta1
        kind: Alert
        metadata:
          name: on-call-webapp
          namespace: flux-system
        spec:
          providerRef:
            name: slack
          eventSeverity: info
          eventSources:
            - kind: GitRepository
              name: '*'
            - kind: Kustomization
              name: '*'
        """

    static let guideGitHub = """
        apiVersion: notification.toolkit.fluxcd.io/v1beta1
        kind: Provider
        metadata:
          name: podinfo
          namespace: flux-system
        spec:
          type: github
          channel: general
          address: https://github.com/stefanprodan/podinfo
          secretRef:
            name: github
        ---
        apiVersion: notification.toolkit.fluxcd.io/v1beta1
        kind: Alert
        metadata:
          name: podinfo
          namespace: flux-system
        spec:
          providerRef:
            name: podinfo
          eventSeverity: info
          eventSources:
            - kind: Kustomization
              name: podinfo
              namespace: flux-system
        """

    @Test("Flux guide: the Slack Provider (v1beta1) decodes")
    func guideSlack() throws {
        let provider = try provider(Self.guideSlackProvider)
        #expect(provider.key == ObjectKey(namespace: "flux-system", name: "slack"))
        #expect(provider.apiVersion == .v1beta1)
        #expect(provider.type == .slack)
        #expect(provider.channel == "general")
        #expect(provider.secretRef == "slack-url")
        #expect(provider.address == "")
        #expect(provider.timeout == nil)
        #expect(provider.effectiveTimeout == .seconds(15))
    }

    @Test("Flux guide: the on-call Alert (v1beta1) decodes")
    func guideAlertDecodes() throws {
        let alert = try alert(Self.guideAlert)
        #expect(alert.key == ObjectKey(namespace: "flux-system", name: "on-call-webapp"))
        #expect(alert.providerName == "slack")
        #expect(alert.providerKey == ObjectKey(namespace: "flux-system", name: "slack"))
        #expect(alert.eventSeverity == "info")
        #expect(alert.eventSources == [EventSource(kind: "GitRepository", name: "*"), EventSource(kind: "Kustomization", name: "*")])
        #expect(alert.suspend == false)
    }

    @Test("Flux guide: the GitHub Provider and Alert stream decodes")
    func guideGitHubDecodes() throws {
        let objects = try YAMLDocuments.parse(Self.guideGitHub).map { try ManifestDecoder.decode($0) }
        try #require(objects.count == 2)
        guard case .provider(let provider) = objects[0], case .alert(let alert) = objects[1] else {
            Issue.record("unexpected objects \(objects)")
            return
        }
        #expect(provider.type == .github)
        #expect(provider.address == "https://github.com/stefanprodan/podinfo")
        #expect(provider.secretRef == "github")
        #expect(alert.eventSources == [EventSource(kind: "Kustomization", name: "podinfo", namespace: "flux-system")])
    }

    @Test("Flux guide: the token Secret decodes once <token> is real base64; the placeholder is rejected naming data.token")
    func guideSecret() throws {
        func guideSecretYAML(token: String) -> String {
            """
            apiVersion: v1
            kind: Secret
            metadata:
              name: github
              namespace: flux-system
            data:
              token: \(token)
            """
        }
        let secret = try secret(guideSecretYAML(token: "Z2hwX3NlY3JldA=="))
        #expect(secret.key == ObjectKey(namespace: "flux-system", name: "github"))
        #expect(secret["token"] == "ghp_secret")
        expectError(guideSecretYAML(token: "<token>"), kind: "Secret", object: "flux-system/github", field: "data.token")
    }

    // MARK: Secrets

    @Test("Secret data is base64 and stringData wins over data for the same key")
    func secretDataAndStringData() throws {
        let secret = try secret(
            """
            apiVersion: v1
            kind: Secret
            metadata: {name: s, namespace: apps}
            data:
              address: aHR0cHM6Ly9leGFtcGxlLmNvbS9mcm9tLWRhdGE=
              token: ZnJvbS1kYXRh
            stringData:
              token: from-stringData
              headers: "X-A: b"
            """)
        #expect(secret.values == ["address": "https://example.com/from-data", "token": "from-stringData", "headers": "X-A: b"])
    }

    @Test("Secret description never prints values")
    func secretDescription() throws {
        let secret = Secret(key: ObjectKey(namespace: "apps", name: "s"), values: ["token": "hunter2"])
        #expect(!secret.description.contains("hunter2"))
        #expect(!String(describing: FluxObject.secret(secret)).isEmpty)
    }

    @Test("namespace defaults to the given default namespace")
    func defaultNamespace() throws {
        let value = try #require(try YAMLDocuments.parse("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n").first)
        guard case .secret(let secret) = try ManifestDecoder.decode(value, defaultNamespace: "team-a") else {
            Issue.record("expected a Secret")
            return
        }
        #expect(secret.key == ObjectKey(namespace: "team-a", name: "s"))
    }

    @Test("other objects only lend their group, kind and labels")
    func otherObjects() throws {
        let object = try decodeYAML(
            """
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata: {name: webapp, namespace: apps, labels: {team: a}}
            spec: {anything: 1}
            """)
        guard case .other(let other) = object else {
            Issue.record("expected another object, got \(object)")
            return
        }
        #expect(other.group == "kustomize.toolkit.fluxcd.io")
        #expect(other.kind == "Kustomization")
        #expect(other.key == ObjectKey(namespace: "apps", name: "webapp"))
        #expect(other.labels == ["team": "a"])
    }

    // MARK: Alert validation

    @Test("Alert: providerRef is required", arguments: FluxAPIVersion.allCases)
    func providerRefRequired(_ version: FluxAPIVersion) {
        expectError(
            alertYAML(version, spec: "eventSources:\n  - kind: Kustomization\n    name: '*'"), kind: "Alert", field: "spec.providerRef")
        expectError(alertYAML(version, spec: "providerRef: {}\neventSources: []"), kind: "Alert", field: "spec.providerRef.name")
    }

    @Test("Alert: eventSources is required", arguments: FluxAPIVersion.allCases)
    func eventSourcesRequired(_ version: FluxAPIVersion) {
        expectError(alertYAML(version, spec: "providerRef: {name: slack}"), kind: "Alert", field: "spec.eventSources")
    }

    @Test("Alert: eventSeverity defaults to info and is one of info, error", arguments: FluxAPIVersion.allCases)
    func eventSeverityEnum(_ version: FluxAPIVersion) throws {
        #expect(try alert(alertYAML(version, spec: Self.minimalAlertSpec)).eventSeverity == "info")
        #expect(try alert(alertYAML(version, spec: Self.minimalAlertSpec + "\neventSeverity: error")).eventSeverity == "error")
        expectError(
            alertYAML(version, spec: Self.minimalAlertSpec + "\neventSeverity: warning"), kind: "Alert", field: "spec.eventSeverity")
        expectError(alertYAML(version, spec: Self.minimalAlertSpec + "\neventSeverity: trace"), kind: "Alert", field: "spec.eventSeverity")
    }

    @Test("Alert v1beta1: inclusionList and eventMetadata are unknown fields", arguments: ["inclusionList: [x]", "eventMetadata: {a: b}"])
    func v1beta1UnknownFields(_ line: String) {
        let field = "spec." + line.split(separator: ":")[0]
        expectError(alertYAML(.v1beta1, spec: Self.minimalAlertSpec + "\n" + line), kind: "Alert", field: field)
    }

    @Test(
        "Alert v1beta2/v1beta3: inclusionList, exclusionList, eventMetadata, summary and suspend decode",
        arguments: [FluxAPIVersion.v1beta2, .v1beta3])
    func fullAlertSpec(_ version: FluxAPIVersion) throws {
        let alert = try alert(
            alertYAML(
                version,
                spec: Self.minimalAlertSpec + """

                    inclusionList: [".*succeeded.*"]
                    exclusionList: ["^Dependencies"]
                    eventMetadata: {env: prod, cluster: eu-1}
                    summary: Cluster addons
                    suspend: true
                    """))
        #expect(alert.apiVersion == version)
        #expect(alert.inclusionList == [".*succeeded.*"])
        #expect(alert.exclusionList == ["^Dependencies"])
        #expect(alert.eventMetadata == ["env": "prod", "cluster": "eu-1"])
        #expect(alert.summary == "Cluster addons")
        #expect(alert.suspend)
    }

    @Test("Alert: unknown spec fields are rejected like kubectl --validate=strict", arguments: FluxAPIVersion.allCases)
    func unknownAlertField(_ version: FluxAPIVersion) {
        expectError(alertYAML(version, spec: Self.minimalAlertSpec + "\nseverity: info"), kind: "Alert", field: "spec.severity")
        expectError(
            alertYAML(version, spec: "providerRef: {name: slack}\neventSources:\n  - kind: Kustomization\n    name: x\n    labels: {}"),
            kind: "Alert", field: "spec.eventSources[0].labels")
    }

    @Test("Alert: summary is at most 255 characters, except in v1beta1", arguments: FluxAPIVersion.allCases)
    func summaryLength(_ version: FluxAPIVersion) throws {
        let ok = String(repeating: "s", count: 255)
        let long = String(repeating: "s", count: 256)
        #expect(try alert(alertYAML(version, spec: Self.minimalAlertSpec + "\nsummary: \(ok)")).summary == ok)
        let yaml = alertYAML(version, spec: Self.minimalAlertSpec + "\nsummary: \(long)")
        if version == .v1beta1 {
            #expect(try alert(yaml).summary == long)
        } else {
            expectError(yaml, kind: "Alert", field: "spec.summary")
        }
    }

    @Test("Alert: event source kinds follow each version's enum (ArtifactGenerator/ExternalArtifact not in v1beta1)")
    func eventSourceKinds() throws {
        for kind in [
            "Bucket", "GitRepository", "Kustomization", "HelmRelease", "HelmChart", "HelmRepository", "ImageRepository", "ImagePolicy",
            "ImageUpdateAutomation", "OCIRepository",
        ] {
            for version in FluxAPIVersion.allCases {
                let spec = "providerRef: {name: slack}\neventSources:\n  - kind: \(kind)\n    name: x"
                #expect(try alert(alertYAML(version, spec: spec)).eventSources.first?.kind == kind)
            }
        }
        for kind in ["ArtifactGenerator", "ExternalArtifact"] {
            let spec = "providerRef: {name: slack}\neventSources:\n  - kind: \(kind)\n    name: x"
            expectError(alertYAML(.v1beta1, spec: spec), kind: "Alert", field: "spec.eventSources[0].kind")
            #expect(try alert(alertYAML(.v1beta2, spec: spec)).eventSources.first?.kind == kind)
            #expect(try alert(alertYAML(.v1beta3, spec: spec)).eventSources.first?.kind == kind)
        }
    }

    @Test("Alert: event source kind is case-sensitive and required", arguments: FluxAPIVersion.allCases)
    func eventSourceKindCase(_ version: FluxAPIVersion) {
        expectError(
            alertYAML(version, spec: "providerRef: {name: slack}\neventSources:\n  - kind: kustomization\n    name: x"), kind: "Alert",
            field: "spec.eventSources[0].kind")
        expectError(
            alertYAML(version, spec: "providerRef: {name: slack}\neventSources:\n  - name: x"), kind: "Alert",
            field: "spec.eventSources[0].kind")
    }

    @Test("Alert: event source name and namespace are at most 53 characters in v1beta1, 253 after", arguments: FluxAPIVersion.allCases)
    func eventSourceLengths(_ version: FluxAPIVersion) throws {
        let max = version == .v1beta1 ? 53 : 253
        let fits = String(repeating: "a", count: max)
        let over = String(repeating: "a", count: max + 1)
        func spec(name: String, namespace: String) -> String {
            "providerRef: {name: slack}\neventSources:\n  - kind: Kustomization\n    name: \(name)\n    namespace: \(namespace)"
        }
        let source = try #require(try alert(alertYAML(version, spec: spec(name: fits, namespace: fits))).eventSources.first)
        #expect(source.name == fits)
        #expect(source.namespace == fits)
        expectError(alertYAML(version, spec: spec(name: over, namespace: "apps")), kind: "Alert", field: "spec.eventSources[0].name")
        expectError(alertYAML(version, spec: spec(name: "x", namespace: over)), kind: "Alert", field: "spec.eventSources[0].namespace")
        expectError(alertYAML(version, spec: spec(name: "''", namespace: "apps")), kind: "Alert", field: "spec.eventSources[0].name")
        expectError(alertYAML(version, spec: spec(name: "x", namespace: "''")), kind: "Alert", field: "spec.eventSources[0].namespace")
    }

    @Test("Alert: event source matchLabels and apiVersion decode; absent matchLabels is nil, {} is an empty selector")
    func matchLabels() throws {
        let alert = try alert(
            alertYAML(
                .v1beta3,
                spec: """
                    providerRef: {name: slack}
                    eventSources:
                      - {kind: Kustomization, name: '*', matchLabels: {team: a}, apiVersion: kustomize.toolkit.fluxcd.io/v1}
                      - {kind: Kustomization, name: '*', matchLabels: {}}
                      - {kind: Kustomization, name: '*'}
                    """))
        #expect(alert.eventSources.map(\.matchLabels) == [["team": "a"], [:], nil])
        #expect(alert.eventSources[0].apiVersion == "kustomize.toolkit.fluxcd.io/v1")
    }

    @Test("Alert: a wrongly typed field is an error naming it")
    func alertWrongTypes() {
        expectError(alertYAML(.v1beta3, spec: Self.minimalAlertSpec + "\nsuspend: 'yes'"), kind: "Alert", field: "spec.suspend")
        expectError(
            alertYAML(.v1beta3, spec: Self.minimalAlertSpec + "\nexclusionList: [1]"), kind: "Alert", field: "spec.exclusionList[0]")
        expectError(
            alertYAML(.v1beta3, spec: Self.minimalAlertSpec + "\neventMetadata: {a: [1]}"), kind: "Alert", field: "spec.eventMetadata.a")
    }

    @Test("unknown notification.toolkit.fluxcd.io versions are rejected")
    func unknownVersion() {
        let yaml = "apiVersion: notification.toolkit.fluxcd.io/v1\nkind: Alert\nmetadata: {name: on-call, namespace: flux-system}\nspec: {}"
        expectError(yaml, kind: "Alert", field: "apiVersion")
    }

    @Test("metadata.name is required")
    func nameRequired() {
        expectError(
            "apiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Alert\nmetadata: {namespace: x}\nspec: {}", kind: "Alert",
            object: "?", field: "metadata.name")
    }

    // MARK: Provider validation

    struct TypeCase: Sendable, CustomTestStringConvertible {
        let type: String
        let versions: Set<FluxAPIVersion>
        var testDescription: String { type }
    }

    static let typeCases: [TypeCase] = [
        TypeCase(type: "slack", versions: [.v1beta1, .v1beta2, .v1beta3]),
        TypeCase(type: "generic-hmac", versions: [.v1beta1, .v1beta2, .v1beta3]),
        TypeCase(type: "githubdispatch", versions: [.v1beta1, .v1beta2, .v1beta3]),
        TypeCase(type: "gitea", versions: [.v1beta2, .v1beta3]),
        TypeCase(type: "bitbucketserver", versions: [.v1beta2, .v1beta3]),
        TypeCase(type: "googlepubsub", versions: [.v1beta2, .v1beta3]),
        TypeCase(type: "pagerduty", versions: [.v1beta2, .v1beta3]),
        TypeCase(type: "datadog", versions: [.v1beta2, .v1beta3]),
        TypeCase(type: "nats", versions: [.v1beta3]),
        TypeCase(type: "zulip", versions: [.v1beta3]),
        TypeCase(type: "otel", versions: [.v1beta3]),
        TypeCase(type: "githubpullrequestcomment", versions: [.v1beta3]),
        TypeCase(type: "incident.io", versions: [.v1beta3]),
        TypeCase(type: "Slack", versions: []),
        TypeCase(type: "webhook", versions: []),
    ]

    @Test("Provider: type follows each version's enum", arguments: typeCases)
    func providerTypeEnum(_ example: TypeCase) throws {
        for version in FluxAPIVersion.allCases {
            let yaml = providerYAML(version, spec: "type: \(example.type)")
            if example.versions.contains(version) {
                #expect(try provider(yaml).type.rawValue == example.type, "\(version)")
            } else {
                expectError(yaml, kind: "Provider", object: "flux-system/slack", field: "spec.type")
            }
        }
    }

    @Test("Provider: type is required", arguments: FluxAPIVersion.allCases)
    func providerTypeRequired(_ version: FluxAPIVersion) {
        expectError(providerYAML(version, spec: "channel: general"), kind: "Provider", object: "flux-system/slack", field: "spec.type")
    }

    @Test("Provider v1beta1: address must match ^(http|https)://; later versions have no pattern")
    func addressPattern() throws {
        expectError(
            providerYAML(.v1beta1, spec: "type: slack\naddress: hooks.slack.com/services/x"), kind: "Provider", object: "flux-system/slack",
            field: "spec.address")
        // The pattern applies to an empty address too, as Flux's v1beta1 CRD does; an absent one is fine.
        expectError(
            providerYAML(.v1beta1, spec: "type: slack\naddress: \"\""), kind: "Provider", object: "flux-system/slack", field: "spec.address"
        )
        #expect(try provider(providerYAML(.v1beta1, spec: "type: slack\nchannel: general")).address == "")
        #expect(
            try provider(providerYAML(.v1beta1, spec: "type: slack\naddress: https://hooks.slack.com/x")).address
                == "https://hooks.slack.com/x")
        #expect(try provider(providerYAML(.v1beta2, spec: "type: slack\naddress: hooks.slack.com/x")).address == "hooks.slack.com/x")
        #expect(
            try provider(providerYAML(.v1beta3, spec: "type: github\naddress: git@github.com:org/repo")).address
                == "git@github.com:org/repo")
    }

    @Test(
        "Provider v1beta2/v1beta3: address, channel, username and proxy are at most 2048 characters",
        arguments: ["address", "channel", "username", "proxy"])
    func maxLengths(_ field: String) throws {
        let prefix = field == "proxy" || field == "address" ? "http://" : ""
        let fits = prefix + String(repeating: "a", count: 2048 - prefix.count)
        let over = fits + "a"
        for version in [FluxAPIVersion.v1beta2, .v1beta3] {
            _ = try provider(providerYAML(version, spec: "type: slack\n\(field): \(fits)"))
            expectError(
                providerYAML(version, spec: "type: slack\n\(field): \(over)"), kind: "Provider", object: "flux-system/slack",
                field: "spec.\(field)")
        }
    }

    @Test("Provider: proxy must match ^(http|https)://", arguments: FluxAPIVersion.allCases)
    func proxyPattern(_ version: FluxAPIVersion) throws {
        #expect(try provider(providerYAML(version, spec: "type: slack\nproxy: http://proxy:3128")).proxy == "http://proxy:3128")
        expectError(
            providerYAML(version, spec: "type: slack\nproxy: socks5://proxy:1080"), kind: "Provider", object: "flux-system/slack",
            field: "spec.proxy")
        expectError(
            providerYAML(version, spec: "type: slack\nproxy: proxy:3128"), kind: "Provider", object: "flux-system/slack",
            field: "spec.proxy")
        expectError(
            providerYAML(version, spec: "type: slack\nproxy: \"\""), kind: "Provider", object: "flux-system/slack", field: "spec.proxy")
    }

    @Test("Provider: timeout pattern has no h unit", arguments: FluxAPIVersion.allCases)
    func timeoutPattern(_ version: FluxAPIVersion) throws {
        #expect(try provider(providerYAML(version, spec: "type: slack\ntimeout: 1m30s")).timeout == .seconds(90))
        #expect(try provider(providerYAML(version, spec: "type: slack\ntimeout: 500ms")).effectiveTimeout == .milliseconds(500))
        expectError(
            providerYAML(version, spec: "type: slack\ntimeout: 1h"), kind: "Provider", object: "flux-system/slack", field: "spec.timeout")
        expectError(
            providerYAML(version, spec: "type: slack\ntimeout: '30'"), kind: "Provider", object: "flux-system/slack", field: "spec.timeout")
    }

    @Test("Provider: interval pattern allows h (v1beta2, v1beta3); v1beta1 has no interval", arguments: [FluxAPIVersion.v1beta2, .v1beta3])
    func intervalPattern(_ version: FluxAPIVersion) throws {
        _ = try provider(providerYAML(version, spec: "type: slack\ninterval: 1h"))
        expectError(
            providerYAML(version, spec: "type: slack\ninterval: 1d"), kind: "Provider", object: "flux-system/slack", field: "spec.interval")
        expectError(
            providerYAML(.v1beta1, spec: "type: slack\ninterval: 1h"), kind: "Provider", object: "flux-system/slack", field: "spec.interval"
        )
    }

    @Test(
        "Provider v1beta3: commitStatusExpr only for commit-status types",
        arguments: ["github", "gitlab", "gitea", "bitbucketserver", "bitbucket", "azuredevops"])
    func commitStatusExprAllowed(_ type: String) throws {
        let provider = try provider(
            providerYAML(.v1beta3, spec: "type: \(type)\ncommitStatusExpr: \"'flux/' + event.involvedObject.name\""))
        #expect(provider.commitStatusExpr == "'flux/' + event.involvedObject.name")
    }

    @Test(
        "Provider v1beta3: commitStatusExpr on another type is rejected with Flux's message",
        arguments: ["slack", "generic", "githubdispatch", "githubpullrequestcomment"])
    func commitStatusExprRejected(_ type: String) throws {
        let yaml = providerYAML(.v1beta3, spec: "type: \(type)\ncommitStatusExpr: \"'x'\"")
        expectError(yaml, kind: "Provider", object: "flux-system/slack", field: "spec.commitStatusExpr")
        let error = #expect(throws: ManifestError.self) { try decodeYAML(yaml) }
        #expect(
            error?.reason
                == "spec.commitStatusExpr is only supported for the 'github', 'gitlab', 'gitea', 'bitbucketserver', 'bitbucket', 'azuredevops' provider types"
        )
    }

    @Test("Provider v1beta3: a commitStatusExpr outside the CEL subset is a validation error naming the construct")
    func commitStatusExprOutsideSubset() throws {
        let yaml = providerYAML(.v1beta3, spec: "type: github\ncommitStatusExpr: \"event.metadata.map(k, k)\"")
        expectError(yaml, kind: "Provider", object: "flux-system/slack", field: "spec.commitStatusExpr")
        let error = #expect(throws: ManifestError.self) { try decodeYAML(yaml) }
        #expect(error?.reason.contains("unsupported CEL construct: the map() macro") == true, "\(error?.reason ?? "")")
        let mismatch = providerYAML(.v1beta3, spec: "type: gitlab\ncommitStatusExpr: \"event.involvedObject.kind == 'Kustomization'\"")
        let typeError = #expect(throws: ManifestError.self) { try decodeYAML(mismatch) }
        #expect(typeError?.reason.contains("CEL expression output type mismatch: expected string, got bool") == true)
    }

    @Test("Provider: fields added in later versions are unknown in earlier ones")
    func providerUnknownFields() {
        for (version, line) in [
            (FluxAPIVersion.v1beta1, "interval: 5m"), (.v1beta2, "proxySecretRef: {name: p}"), (.v1beta2, "serviceAccountName: sa"),
            (.v1beta2, "commitStatusExpr: x"), (.v1beta3, "webhook: x"),
        ] {
            let field = "spec." + line.split(separator: ":")[0]
            expectError(providerYAML(version, spec: "type: github\n\(line)"), kind: "Provider", object: "flux-system/slack", field: field)
        }
    }

    @Test("Provider v1beta3: every field decodes")
    func fullProviderSpec() throws {
        let provider = try provider(
            providerYAML(
                .v1beta3,
                spec: """
                    type: github
                    channel: c
                    username: u
                    address: https://github.com/org/repo
                    timeout: 30s
                    interval: 10m
                    proxy: https://proxy:8443
                    secretRef: {name: token}
                    certSecretRef: {name: tls}
                    proxySecretRef: {name: proxy}
                    serviceAccountName: sa
                    commitStatusExpr: "'x'"
                    suspend: true
                    """))
        #expect(provider.channel == "c")
        #expect(provider.username == "u")
        #expect(provider.timeout == .seconds(30))
        #expect(provider.proxy == "https://proxy:8443")
        #expect(provider.secretRef == "token")
        #expect(provider.certSecretRef == "tls")
        #expect(provider.proxySecretRef == "proxy")
        #expect(provider.serviceAccountName == "sa")
        #expect(provider.suspend)
    }

    @Test("Provider: a reference without a name is an error naming the reference")
    func referenceNameRequired() {
        expectError(
            providerYAML(.v1beta3, spec: "type: slack\nsecretRef: {}"), kind: "Provider", object: "flux-system/slack",
            field: "spec.secretRef.name")
    }

    @Test("v1beta3 Alert in a JSON document decodes like YAML")
    func jsonManifest() throws {
        let value = try JSONParser.parse(
            #"{"apiVersion":"notification.toolkit.fluxcd.io/v1beta3","kind":"Alert","metadata":{"name":"a","namespace":"n"},"spec":{"providerRef":{"name":"p"},"eventSources":[{"kind":"HelmRelease","name":"*"}]}}"#
        )
        guard case .alert(let alert) = try ManifestDecoder.decode(value) else {
            Issue.record("expected an Alert")
            return
        }
        #expect(alert.key == ObjectKey(namespace: "n", name: "a"))
        #expect(alert.providerKey == ObjectKey(namespace: "n", name: "p"))
    }
}
