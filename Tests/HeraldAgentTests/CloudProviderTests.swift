import Crypto
import CryptoExtras
import Foundation
import HeraldAgent
import HeraldCore
import HeraldJSON
import HeraldTestSupport
import Synchronization
import Testing

@testable import HeraldNotifiers

/// Google Pub/Sub and Azure Event Hubs: token exchanges and signatures against in-process APIs.
@Suite("Cloud providers: Google Pub/Sub, Azure Event Hubs", .serialized)
struct CloudProviderTests {
    static let key = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let event = AgentFixtures.event(message: "published", metadata: ["revision": "main@sha1:abc"])
    static let now = 1_800_000_000.0
    static let clock = WallClock { now }

    func deliver(_ client: ProviderClient) async throws -> DeliveryOutcome {
        let transport = HTTPTransport()
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry, wallClock: Self.clock).deliver(
            try AgentFixtures.job(client, event: Self.event))
        await transport.shutdown()
        return outcome
    }

    func serviceAccount(tokenURI: String) -> String {
        JSONWriter.string([
            "type": "service_account", "project_id": "my-project", "private_key_id": "k1",
            "private_key": .string(Self.key.pkcs8PEMRepresentation),
            "client_email": "flux@my-project.iam.gserviceaccount.com", "token_uri": .string(tokenURI),
        ])
    }

    func decodeJWTClaims(_ jwt: String) throws -> JSONValue {
        try RS256.verify(jwt, key: Self.key.publicKey).claims
    }

    @Test("googlepubsub: the service account's JWT buys a token, the event is published base64 with the headers as attributes")
    func pubsub() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(
            path: "/token", method: "POST",
            with: [ScriptedResponse(status: 200, body: #"{"access_token":"ya29.pubsub-token","expires_in":3599}"#)])
        recorder.respond(
            path: "/v1/projects/my-project/topics/flux:publish", method: "POST",
            with: [ScriptedResponse(status: 200, body: #"{"messageIds":["1"]}"#)])
        var provider = AgentFixtures.provider(type: .googlePubSub, address: "my-project", secretRef: "gcp")
        provider.channel = "flux"
        let secret = AgentFixtures.secret(
            "gcp", ["token": serviceAccount(tokenURI: recorder.baseURL + "/token"), "headers": "team: platform\n"])
        var settings = try ProviderSettings(provider: provider) { _ in secret }
        settings.transport.tls = nil
        let notifier = try GooglePubSubNotifier(settings: settings, endpoint: recorder.baseURL, needsCredentials: true)
        let client = ProviderClient(
            provider: provider, notifier: notifier, transport: settings.transport, secretValues: settings.secretValues)
        #expect(try await deliver(client) == .delivered(status: 200, attempts: 2))
        #expect(try await deliver(client) == .delivered(status: 200, attempts: 1))
        let requests = await recorder.requests()
        #expect(
            requests.map(\.path) == [
                "/token", "/v1/projects/my-project/topics/flux:publish", "/v1/projects/my-project/topics/flux:publish",
            ])
        let form = Dictionary(
            uniqueKeysWithValues: requests[0].bodyString.split(separator: "&").map {
                let pair = $0.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
                return (pair[0], pair[1])
            })
        #expect(form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer")
        let claims = try decodeJWTClaims(try #require(form["assertion"]))
        #expect(claims["iss"] == "flux@my-project.iam.gserviceaccount.com")
        #expect(claims["scope"] == "https://www.googleapis.com/auth/pubsub")
        #expect(claims["aud"]?.stringValue == recorder.baseURL + "/token")
        #expect(claims["exp"] == .integer(Int(Self.now) + 3600))
        let publish = requests[1]
        #expect(publish.header("Authorization") == "Bearer ya29.pubsub-token")
        let message = try #require(publish.bodyJSON?["messages"]?.arrayValue?.first)
        #expect(message["data"]?.stringValue.flatMap { Data(base64Encoded: $0) }.map(Array.init) == Self.event.jsonBytes)
        #expect(message["attributes"] == ["team": "platform"])
    }

    @Test("googlepubsub: project and topic are required; without credentials only the emulator is reachable")
    func pubsubSettings() throws {
        var provider = AgentFixtures.provider(type: .googlePubSub, address: "")
        provider.channel = "t"
        #expect(throws: ProviderError.invalidSetting("GCP project ID cannot be empty")) { try AgentFixtures.client(provider) }
        provider.address = "p"
        provider.channel = ""
        #expect(throws: ProviderError.invalidChannel("GCP Pub/Sub topic ID cannot be empty")) { try AgentFixtures.client(provider) }
        provider.channel = "t"
        let error = #expect(throws: ProviderError.self) { try ProcessEnvironmentLock.withUnset { try AgentFixtures.client(provider) } }
        #expect(error?.description.contains("workload identity is not supported") == true)
    }

    @Test("googlepubsub: PUBSUB_EMULATOR_HOST publishes without credentials, as Google's libraries do")
    func pubsubEmulator() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        var provider = AgentFixtures.provider(type: .googlePubSub, address: "my-project")
        provider.channel = "flux"
        // The notifier reads the variable when it is built.
        let client = try ProcessEnvironmentLock.with("PUBSUB_EMULATOR_HOST", "127.0.0.1:\(recorder.port)") {
            try AgentFixtures.client(provider)
        }
        #expect(try await deliver(client) == .delivered(status: 200, attempts: 1))
        let request = try #require(await recorder.requests().first)
        #expect(request.path == "/v1/projects/my-project/topics/flux:publish")
        #expect(request.header("Authorization") == nil)
    }

    @Test("azureeventhub: a SAS connection string signs each send with an hour-long token; TLS from certSecretRef")
    func eventHubSAS() async throws {
        let tls = TestTLS()
        let recorder = try await WebhookRecorder.start(tls: tls)
        defer { Task { try? await recorder.shutdown() } }
        recorder.respond(path: "/flux/messages", method: "POST", with: [.status(201)])
        let key = "c2VjcmV0LXNoYXJlZC1hY2Nlc3Mta2V5"
        let connection = "Endpoint=sb://localhost:\(recorder.port)/;SharedAccessKeyName=send;SharedAccessKey=\(key);EntityPath=flux"
        let provider = AgentFixtures.provider(type: .azureEventHub, address: "", secretRef: "hub", certSecretRef: "ca")
        let client = try AgentFixtures.client(
            provider,
            secrets: ["hub": AgentFixtures.secret("hub", ["address": connection]), "ca": AgentFixtures.secret("ca", ["ca.crt": tls.caPEM])])
        #expect(try await deliver(client) == .delivered(status: 201, attempts: 1))
        let request = try #require(await recorder.requests().first)
        #expect(request.uri == "/flux/messages?timeout=60&api-version=2014-01")
        #expect(request.body == Self.event.jsonBytes)
        #expect(request.header("Content-Type") == "application/atom+xml;type=entry;charset=utf-8")
        // Recompute the signature independently: HMAC-SHA256 over "<encoded resource>\n<expiry>".
        let sas = try #require(request.header("Authorization"))
        #expect(sas.hasPrefix("SharedAccessSignature "))
        var fields: [String: String] = [:]
        for pair in sas.dropFirst("SharedAccessSignature ".count).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            fields[parts[0]] = parts[1]
        }
        let resource = try #require(fields["sr"])
        #expect(resource.removingPercentEncoding == "https://localhost:\(recorder.port)/flux")
        #expect(fields["se"] == String(Int(Self.now) + 3600))
        #expect(fields["skn"] == "send")
        let expected = HMAC<SHA256>.authenticationCode(
            for: Data("\(resource)\n\(Int(Self.now) + 3600)".utf8), using: SymmetricKey(data: Data(key.utf8)))
        #expect(fields["sig"]?.removingPercentEncoding == Data(expected).base64EncodedString())
    }

    @Test("azureeventhub: Flux's construction rules")
    func eventHubSettings() throws {
        func error(address: String, channel: String = "", secret: [String: String] = [:]) -> String? {
            var provider = AgentFixtures.provider(type: .azureEventHub, address: address, secretRef: secret.isEmpty ? nil : "s")
            provider.channel = channel
            do {
                _ = try AgentFixtures.client(provider, secrets: ["s": AgentFixtures.secret("s", secret)])
                return nil
            } catch { return "\(error)" }
        }
        #expect(error(address: "") == "endpoint URL cannot be empty")
        #expect(
            error(address: "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=b")?.contains("EntityPath")
                == true)
        #expect(error(address: "hub")?.contains("workload identity is not supported") == true)
        #expect(error(address: "hub", channel: "ns", secret: ["token": "jwt"]) == nil)
        var provider = AgentFixtures.provider(type: .azureEventHub, address: "hub", secretRef: "s")
        provider.channel = "my-namespace"
        let client = try AgentFixtures.client(provider, secrets: ["s": AgentFixtures.secret("s", ["token": "jwt-token"])])
        let request = try #require(try client.notifier.plan(for: Self.event).requests.first)
        #expect(request.url == "https://my-namespace.servicebus.windows.net/hub/messages?timeout=60&api-version=2014-01")
        #expect(request.header("Authorization") == "Bearer jwt-token")
    }

    @Test("sentry: one envelope per event to /api/<project>/envelope/, an event item for errors, a transaction otherwise")
    func sentry() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        var provider = AgentFixtures.provider(type: .sentry, address: "http://publickey123@127.0.0.1:\(recorder.port)/sub/42")
        provider.channel = "production"
        let client = try AgentFixtures.client(provider)
        #expect(try await deliver(client) == .delivered(status: 200, attempts: 1))
        let transport = HTTPTransport()
        let errorEvent = AgentFixtures.event(message: "failed", severity: "error", metadata: ["revision": "main@sha1:abc"])
        _ = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(try AgentFixtures.job(client, event: errorEvent))
        await transport.shutdown()
        let requests = await recorder.requests()
        #expect(requests.map(\.path) == ["/sub/api/42/envelope/", "/sub/api/42/envelope/"])
        #expect(requests[0].header("X-Sentry-Auth") == "Sentry sentry_version=7, sentry_client=sentry.go/0.46.2, sentry_key=publickey123")
        #expect(requests[0].header("Content-Type") == "application/x-sentry-envelope")
        for (request, type) in zip(requests, ["transaction", "event"]) {
            let lines = request.bodyString.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(lines.count == 4 && lines[3].isEmpty, "\(lines)")
            let header = try JSONParser.parse(Array(lines[0].utf8))
            let item = try JSONParser.parse(Array(lines[1].utf8))
            let payload = try JSONParser.parse(Array(lines[2].utf8))
            #expect(item["type"]?.stringValue == type)
            #expect(item["length"] == .integer(lines[2].utf8.count))
            #expect(header["event_id"] == payload["event_id"])
            #expect(payload["event_id"]?.stringValue?.count == 32)
            #expect(payload["transaction"] == "GitRepository: gitops-system/webapp")
            #expect(payload["environment"] == "production")
        }
        let error = try JSONParser.parse(Array(requests[1].bodyString.split(separator: "\n")[2].utf8))
        #expect(error["level"] == "error")
        #expect(error["contexts"]?["metadata"] == ["revision": "main@sha1:abc"])
        let transaction = try JSONParser.parse(Array(requests[0].bodyString.split(separator: "\n")[2].utf8))
        #expect(transaction["tags"]?["flux_reason"] == "reason")
        #expect(transaction["tags"]?["revision"] == "main@sha1:abc")
        #expect(transaction["spans"]?.arrayValue?.count == 1)
    }

    @Test("sentry: the DSN is required and must name a key and a project")
    func sentrySettings() {
        #expect(throws: ProviderError.invalidSetting("DSN cannot be empty")) {
            try AgentFixtures.client(AgentFixtures.provider(type: .sentry, address: ""))
        }
        #expect(throws: ProviderError.self) {
            try AgentFixtures.client(AgentFixtures.provider(type: .sentry, address: "https://o0.ingest.sentry.io/0"))
        }
    }
}

/// The otel provider's OTLP export, decoded by the official opentelemetry-proto package.
@Suite("OpenTelemetry provider")
struct OTelProviderTests {
    static let alertUID = "5a1e4c2b-0000-4000-8000-000000000001"

    func decode(_ body: [UInt8]) async throws -> JSONValue {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otlp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("export.bin")
        try Data(body).write(to: file)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Peers/otlp_decode.py")
        let output = try await FakeKubeFidelityTests.run(["python3", script.path, file.path], in: directory)
        try #require(output.status == 0, "\(output.error)")
        return try JSONParser.parse(Array(output.text.utf8))
    }

    @Test("one span per event: name, attributes, status, the deterministic trace id; delivered as application/x-protobuf")
    func export() async throws {
        let recorder = try await WebhookRecorder.start()
        defer { Task { try? await recorder.shutdown() } }
        let provider = AgentFixtures.provider(type: .otel, address: recorder.baseURL + "/v1/traces", secretRef: "otel")
        let client = try AgentFixtures.client(
            provider, secrets: ["otel": AgentFixtures.secret("otel", ["headers": "X-Scope-OrgID: flux\n", "password": "otel-token-value"])])
        let event = AgentFixtures.event(message: "failed", severity: "error", metadata: ["revision": "main@sha1:abc"])
        let plan = try client.notifier.plan(
            for: event, context: RenderContext(alert: ObjectKey(namespace: "flux-system", name: "traces"), alertUID: Self.alertUID))
        let job = DeliveryJob(alert: ObjectKey(namespace: "flux-system", name: "traces"), client: client, event: event, plan: plan)
        let transport = HTTPTransport()
        let outcome = await Deliverer(transport: transport, retry: AgentFixtures.fastRetry).deliver(job)
        await transport.shutdown()
        #expect(outcome == .delivered(status: 200, attempts: 1))
        let request = try #require(await recorder.requests().first)
        #expect(request.path == "/v1/traces")
        #expect(request.header("Content-Type") == "application/x-protobuf")
        #expect(request.header("X-Scope-OrgID") == "flux")
        #expect(request.header("Authorization") == "Bearer otel-token-value")

        let decoded = try await decode(request.body)
        let resourceSpans = try #require(decoded["resource_spans"]?.arrayValue?.first)
        let resource = resourceSpans["resource"]?["attributes"]?.arrayValue ?? []
        #expect(resource.map { $0["key"]?.stringValue ?? "" } == ["service.name", "service.namespace", "service.instance.id"])
        #expect(resource.first?["value"]?["string_value"] == "flux-system/traces")
        #expect(resourceSpans["schema_url"] == "https://opentelemetry.io/schemas/1.34.0")
        let scopeSpans = try #require(resourceSpans["scope_spans"]?.arrayValue?.first)
        #expect(scopeSpans["scope"]?["name"] == "flux:notification-controller")
        let span = try #require(scopeSpans["spans"]?.arrayValue?.first)
        #expect(span["name"] == "GitRepository: gitops-system/webapp")
        #expect(span["kind"] == "SPAN_KIND_INTERNAL")
        #expect(span["start_time_unix_nano"] == "1664520029000000000")
        #expect(span["status"] == ["message": "failed", "code": "STATUS_CODE_ERROR"])
        let attributes = (span["attributes"]?.arrayValue ?? []).map {
            ($0["key"]?.stringValue ?? "", $0["value"]?["string_value"]?.stringValue ?? "")
        }
        #expect(attributes.map(\.0) == ["object.uid", "object.kind", "object.name", "object.namespace", "revision"])
        #expect(attributes.last?.1 == "main@sha1:abc")
        // The trace id is SHA-256("<alert uid>:<revision>")[0..<16], base64 in protobuf's JSON mapping.
        let expected = Data(SHA256.hash(data: Data("\(Self.alertUID):main@sha1:abc".utf8)).prefix(16)).base64EncodedString()
        #expect(span["trace_id"]?.stringValue == expected)
        #expect(span["parent_span_id"] == nil)
    }

    @Test("an Ok status carries no message; HelmRepository events are skipped; the Alert is required")
    func statusAndSkips() async throws {
        let client = try AgentFixtures.client(AgentFixtures.provider(type: .otel, address: "https://otel.example/v1/traces"))
        let context = RenderContext(alert: ObjectKey(namespace: "a", name: "b"), alertUID: "u")
        let plan = try client.notifier.plan(for: AgentFixtures.event(message: "fine"), context: context)
        let decoded = try await decode(try #require(plan.requests.first).body)
        let span = decoded["resource_spans"]?.arrayValue?.first?["scope_spans"]?.arrayValue?.first?["spans"]?.arrayValue?.first
        #expect(span?["status"] == ["code": "STATUS_CODE_OK"])
        var helm = AgentFixtures.event()
        helm.involvedObject.kind = "HelmRepository"
        guard case .skip = try client.notifier.plan(for: helm, context: context) else {
            Issue.record("HelmRepository events must be skipped")
            return
        }
        #expect(throws: ProviderError.invalidSetting("alert metadata not found in context")) {
            try client.notifier.plan(for: AgentFixtures.event())
        }
    }
}
