import Foundation
import HeraldJSON
import HeraldTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A fake API server, a webhook receiver and a `herald run` subprocess wired together.
final class ClusterHarness: @unchecked Sendable {
    let api: FakeKubeAPIServer
    let recorder: WebhookRecorder
    let workspace: Workspace
    let fluxVersion: String
    private var process: Process?
    private let stderrBuffer = LockedText()
    private(set) var healthPort: Int?

    static let fluxGroup = "notification.toolkit.fluxcd.io"

    init(api: FakeKubeAPIServer, recorder: WebhookRecorder, workspace: Workspace, fluxVersion: String) {
        self.api = api
        self.recorder = recorder
        self.workspace = workspace
        self.fluxVersion = fluxVersion
    }

    /// Serves the Flux types (`versions`, newest last) with or without a status subresource. resourceVersions
    /// are opaque by default, so every cluster test also shows that Herald never parses or orders them.
    static func start(
        fluxVersions: [String] = ["v1beta3"], statusSubresource: Bool = false, tls: TestTLS? = nil, auth: FakeKubeAuth = .none,
        resourceVersions: FakeResourceVersionFormat = .opaque
    ) async throws -> ClusterHarness {
        let api = try await FakeKubeAPIServer.start(tls: tls, auth: auth, resourceVersions: resourceVersions)
        for (resource, kind) in [("alerts", "Alert"), ("providers", "Provider")] {
            api.register(
                FakeResourceType(
                    group: fluxGroup, versions: fluxVersions.reversed(), resource: resource, kind: kind, namespaced: true,
                    statusSubresource: statusSubresource))
        }
        let recorder = try await WebhookRecorder.start()
        return ClusterHarness(api: api, recorder: recorder, workspace: try Workspace(), fluxVersion: fluxVersions.last ?? "v1beta3")
    }

    // MARK: objects

    @discardableResult
    func createProvider(_ name: String = "hook", namespace: String = "apps", spec: JSONValue? = nil) throws -> JSONValue {
        let object: JSONValue = [
            "apiVersion": .string("\(Self.fluxGroup)/\(fluxVersion)"), "kind": "Provider",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": spec ?? ["type": "generic", "address": .string(recorder.baseURL + "/\(name)")],
        ]
        return try api.create(object, group: Self.fluxGroup, version: fluxVersion, resource: "providers", namespace: namespace)
    }

    @discardableResult
    func createAlert(
        _ name: String = "all", namespace: String = "apps", provider: String = "hook", extra: [(String, JSONValue)] = []
    )
        throws -> JSONValue
    {
        var spec = JSONObject([("providerRef", ["name": .string(provider)]), ("eventSources", [["kind": "Kustomization", "name": "*"]])])
        for (key, value) in extra { spec[key] = value }
        let object: JSONValue = [
            "apiVersion": .string("\(Self.fluxGroup)/\(fluxVersion)"), "kind": "Alert",
            "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": .object(spec),
        ]
        return try api.create(object, group: Self.fluxGroup, version: fluxVersion, resource: "alerts", namespace: namespace)
    }

    static func timestamp(_ offset: TimeInterval = 0) -> String {
        timestamp(at: Date().addingTimeInterval(offset))
    }

    static func timestamp(at date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// A core/v1 Event as a Flux controller's recorder writes it; the fake adds what the apiserver adds
    /// (`managedFields`, `eventTime: null`, …) and serves it without `kind` in lists.
    static func coreEvent(
        name: String, object: String = "webapp", namespace: String = "apps", message: String, type: String = "Normal",
        reason: String = "ReconciliationSucceeded", count: Int = 1, lastTimestamp: String = ClusterHarness.timestamp(),
        involvedKind: String = "Kustomization"
    ) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Event",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace),
                "annotations": ["kustomize.toolkit.fluxcd.io/revision": "main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1"],
            ],
            "involvedObject": [
                "kind": .string(involvedKind), "namespace": .string(namespace), "name": .string(object),
                "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            ],
            "type": .string(type), "reason": .string(reason), "message": .string(message),
            "source": ["component": "kustomize-controller"], "reportingComponent": "kustomize-controller",
            "firstTimestamp": .string(lastTimestamp), "lastTimestamp": .string(lastTimestamp), "count": .integer(count),
        ]
    }

    @discardableResult
    func createEvent(_ event: JSONValue, namespace: String = "apps") throws -> JSONValue {
        try api.create(event, group: "", version: "v1", resource: "events", namespace: namespace)
    }

    /// Waits for `expected.count` deliveries, lets Herald settle for a second, then checks that exactly
    /// `expected` was delivered, in order (nothing lost, nothing twice) and that no Event was dropped as malformed.
    func expectDeliveredExactly(
        _ expected: [String], _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        #expect(try await waitForDeliveries(expected.count) == expected, comment, sourceLocation: sourceLocation)
        try await Task.sleep(for: .seconds(1))
        #expect(await deliveredMessages() == expected, comment, sourceLocation: sourceLocation)
        #expect(logLines(containing: "malformed Event").isEmpty, sourceLocation: sourceLocation)
    }

    /// Lines of Herald's log that contain `text`.
    func logLines(containing text: String) -> [Substring] {
        heraldLog.split(separator: "\n").filter { $0.contains(text) }
    }

    /// The recorder's requests as the messages of the Flux events they carried.
    func deliveredMessages() async -> [String] {
        await recorder.requests().compactMap { $0.bodyJSON?["message"]?.stringValue }
    }

    func waitForDeliveries(_ count: Int, timeout: Duration = .seconds(20)) async throws -> [String] {
        do {
            _ = try await recorder.waitForRequests(count: count, timeout: timeout)
        } catch {
            if let directory = ProcessInfo.processInfo.environment["HERALD_TEST_LOGS"] {
                try? Data(heraldLog.utf8).write(
                    to: URL(fileURLWithPath: directory).appendingPathComponent("herald-\(UUID().uuidString).log"))
            }
            throw error
        }
        return await deliveredMessages()
    }

    // MARK: herald

    func startHerald(kubeconfig: String? = nil, extraArguments: [String] = []) async throws {
        stderrBuffer.reset()
        healthPort = nil
        let config = try workspace.write(
            "kubeconfig-\(UUID().uuidString).yaml", kubeconfig ?? api.kubeconfig(token: nil, clientCertificate: false))
        let process = Process()
        process.executableURL = HeraldProcess.binary
        process.arguments =
            [
                "run", "--kubeconfig", config, "--health-addr", "127.0.0.1:0", "--events-addr", "127.0.0.1:0", "--metrics-addr",
                "127.0.0.1:0", "--log-level", "debug",
                "--watch-stall-timeout", "3s",
                "--rate-limit-interval", "1ms", "--shutdown-timeout", "5s",
            ] + extraArguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let buffer = stderrBuffer
        errors.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { buffer.append(String(decoding: data, as: UTF8.self)) }
        }
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            // The probe address is logged once listening: `address=…` (console) or `"address":"…"` (json).
            if let line = stderrBuffer.text.split(separator: "\n").first(where: { $0.contains("health probes listening") }),
                let range = line.range(of: #"127\.0\.0\.1:\d+"#, options: .regularExpression)
            {
                healthPort = Int(line[range].split(separator: ":").last ?? "")
                break
            }
            guard process.isRunning else { throw HarnessError.heraldExited(process.terminationStatus, stderrBuffer.text) }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard healthPort != nil else { throw HarnessError.notReady(stderrBuffer.text) }
        try await waitUntilReady()
    }

    func waitUntilReady(timeout: TimeInterval = 20) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let port = healthPort, Self.httpStatus(port: port, path: "/readyz") == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError.notReady(stderrBuffer.text)
    }

    var heraldLog: String { stderrBuffer.text }

    /// SIGTERM, then the exit status.
    func stopHerald() async -> Int32? {
        guard let process else { return nil }
        if process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        self.process = nil
        return process.terminationStatus
    }

    /// SIGKILL: no shutdown path runs, the last watermark write is whatever the interval left.
    func killHerald() async {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        self.process = nil
    }

    func tearDown() async {
        _ = await stopHerald()
        try? await api.shutdown()
        try? await recorder.shutdown()
        workspace.remove()
    }

    /// The port a listener logged (`<name> listening … 127.0.0.1:PORT`), console or JSON.
    func loggedPort(_ name: String) -> Int? {
        guard let line = heraldLog.split(separator: "\n").first(where: { $0.contains("\(name) listening") }),
            let range = line.range(of: #"127\.0\.0\.1:\d+"#, options: .regularExpression)
        else { return nil }
        return Int(line[range].split(separator: ":").last ?? "")
    }

    /// A blocking HTTP/1.1 GET on loopback: status and body.
    static func httpGet(port: Int, path: String) -> (status: Int, body: String)? { LoopbackHTTP.get(port: port, path: path) }

    /// A blocking HTTP/1.1 GET on loopback; the status code, or nil.
    static func httpStatus(port: Int, path: String) -> Int? { httpGet(port: port, path: path)?.status }
}

enum HarnessError: Error, CustomStringConvertible {
    case heraldExited(Int32, String)
    case notReady(String)

    var description: String {
        switch self {
        case .heraldExited(let status, let log): "herald run exited with \(status): \(log.suffix(1500))"
        case .notReady(let log): "herald run did not become ready:\n\(log)"
        }
    }
}

final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var value = ""
    var text: String { lock.withLock { value } }
    func append(_ more: String) { lock.withLock { value += more } }
    func reset() { lock.withLock { value = "" } }
}
