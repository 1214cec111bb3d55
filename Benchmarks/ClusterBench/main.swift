// Cluster benchmark: `herald run` against the in-process fake API server.
//
// Usage: swift run -c release herald-cluster-bench [path/to/herald] [events]
// Prints: idle RSS after sync (200 Alerts, 200 Providers), ingest events/s and peak RSS for a burst of N
// Events (default 100,000; 10% matching; one provider stalled), and end-to-end latency p50/p99 from Event
// creation to a local receiver at 500 events/s. RSS comes from /proc/PID/status (VmRSS, VmHWM).
import Foundation
import HeraldJSON
import HeraldTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Prints at once (stdout is block-buffered when redirected, and the run may be interrupted).
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

let arguments = CommandLine.arguments
let binary = arguments.count > 1 ? arguments[1] : ".build/release/herald"
let burstSize = arguments.count > 2 ? Int(arguments[2]) ?? 100_000 : 100_000
let group = "notification.toolkit.fluxcd.io"

func status(_ pid: Int32, _ field: String) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") })
    else { return 0 }
    return (Double(line.split(separator: " ").dropFirst().first { !$0.isEmpty }.map(String.init) ?? "0") ?? 0) / 1024
}

func metric(_ port: Int, _ name: String) -> Double {
    guard let (_, body) = httpGet(port: port, path: "/metrics") else { return 0 }
    return body.split(separator: "\n").filter { $0.hasPrefix(name) }.compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
}

func httpGet(port: Int, path: String) -> (Int, String)? { LoopbackHTTP.get(port: port, path: path).map { ($0.status, $0.body) } }

func event(_ index: Int, namespace: String, object: String, message: String) -> JSONValue {
    [
        "apiVersion": "v1", "kind": "Event",
        "metadata": [
            "name": .string("\(object).\(index)"), "namespace": .string(namespace),
            "annotations": ["kustomize.toolkit.fluxcd.io/revision": "main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1"],
        ],
        "involvedObject": [
            "kind": "Kustomization", "namespace": .string(namespace), "name": .string(object),
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        ],
        "type": "Normal", "reason": "ReconciliationSucceeded", "message": .string(message),
        "source": ["component": "kustomize-controller"], "reportingComponent": "kustomize-controller",
        "lastTimestamp": .string(ISO8601DateFormatter().string(from: Date())), "count": 1,
    ]
}

let api = try await FakeKubeAPIServer.start(eventLogCapacity: burstSize * 2 + 10_000)
for (resource, kind) in [("alerts", "Alert"), ("providers", "Provider")] {
    api.register(
        FakeResourceType(group: group, versions: ["v1beta3"], resource: resource, kind: kind, namespaced: true, statusSubresource: false))
}
let receiver = try await WebhookRecorder.start()
receiver.respond(path: "/stalled", with: [.hang])
// 200 Providers and 200 Alerts over 10 namespaces; each Alert selects one Kustomization name.
for index in 0..<200 {
    let namespace = "team-\(index % 10)"
    let path = index == 0 ? "/stalled" : "/hook"
    try api.create(
        [
            "apiVersion": .string("\(group)/v1beta3"), "kind": "Provider",
            "metadata": ["name": .string("p\(index)"), "namespace": .string(namespace)],
            "spec": ["type": "generic", "address": .string(receiver.baseURL + path), "timeout": "15s"],
        ], group: group, version: "v1beta3", resource: "providers", namespace: namespace)
    try api.create(
        [
            "apiVersion": .string("\(group)/v1beta3"), "kind": "Alert",
            "metadata": ["name": .string("a\(index)"), "namespace": .string(namespace)],
            "spec": [
                "providerRef": ["name": .string("p\(index)")],
                "eventSources": [["kind": "Kustomization", "name": .string("app-\(index)")]],
            ],
        ], group: group, version: "v1beta3", resource: "alerts", namespace: namespace)
}
let kubeconfig = FileManager.default.temporaryDirectory.appendingPathComponent("herald-bench-\(getpid()).yaml")
try Data(api.kubeconfig(token: nil, clientCertificate: false).utf8).write(to: kubeconfig)
let process = Process()
process.executableURL = URL(fileURLWithPath: binary)
process.arguments = [
    "run", "--kubeconfig", kubeconfig.path, "--health-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--events-addr", "",
    "--log-level", "info", "--log-encoding", "console", "--rate-limit-interval", "1ms",
]
// herald's log goes to a file the benchmark reads back (it logs the addresses it listens on).
let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("herald-bench-\(getpid()).log").path
_ = FileManager.default.createFile(atPath: logPath, contents: nil)
process.standardError = FileHandle(forWritingAtPath: logPath)
process.standardOutput = FileHandle.nullDevice
let log = LogFile(path: logPath)
try process.run()

func port(_ name: String) async throws -> Int {
    for _ in 0..<400 {
        if let line = log.text.split(separator: "\n").first(where: { $0.contains("\(name) listening") }),
            let range = line.range(of: #"127\.0\.0\.1:\d+"#, options: .regularExpression),
            let port = Int(line[range].split(separator: ":")[1])
        {
            return port
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    say("herald did not log its \(name) address:\n\(log.text)")
    exit(1)
}
say("herald started; waiting for readiness")
let health = try await port("health probes")
let metricsPort = try await port("metrics")
let readyBy = ContinuousClock.now.advanced(by: .seconds(60))
while httpGet(port: health, path: "/readyz")?.0 != 200 {
    guard ContinuousClock.now < readyBy else {
        say("herald did not become ready:\n\(log.text)")
        exit(1)
    }
    try await Task.sleep(for: .milliseconds(50))
}
try await Task.sleep(for: .seconds(2))
say("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; herald: \(binary)")
say(String(format: "idle RSS after sync (200 Alerts, 200 Providers): %.1f MiB", status(process.processIdentifier, "VmRSS")))

// Burst: N Events, 10% naming a selected object (1 in 200 of those goes to the stalled provider).
let burstStart = ContinuousClock.now
for index in 0..<burstSize {
    let selected = index % 10 == 0
    let target = (index / 10) % 200
    let object = selected ? "app-\(target)" : "other-\(index % 1000)"
    try api.create(
        event(index, namespace: "team-\(target % 10)", object: object, message: "burst \(index)"), group: "", version: "v1",
        resource: "events", namespace: "team-\(target % 10)")
}
let created = burstStart.duration(to: .now)
while metric(metricsPort, "herald_events_received_total") < Double(burstSize) { try await Task.sleep(for: .milliseconds(100)) }
let consumed = burstStart.duration(to: .now)
let seconds = Double(consumed.components.seconds) + Double(consumed.components.attoseconds) / 1e18
say(
    String(
        format: "burst: %d Events in %.2f s (API writes took %.2f s): %.0f events/s ingest", burstSize, seconds,
        Double(created.components.seconds) + Double(created.components.attoseconds) / 1e18, Double(burstSize) / seconds))
say(
    String(
        format: "peak RSS during the burst (one provider stalled): %.1f MiB; overflowed: %.0f", status(process.processIdentifier, "VmHWM"),
        metric(metricsPort, "herald_notifications_overflowed_total")))

// Latency at 500 events/s for 10 s, all matching fast providers.
try await Task.sleep(for: .seconds(2))
let before = await receiver.requests().count
var sent: [String: ContinuousClock.Instant] = [:]
let latencyStart = ContinuousClock.now
for index in 0..<5_000 {
    let due = latencyStart.advanced(by: .milliseconds(2 * index))
    if ContinuousClock.now < due { try await Task.sleep(until: due) }
    let target = 1 + index % 199
    let message = "latency \(index)"
    sent[message] = .now
    try api.create(
        event(burstSize + index, namespace: "team-\(target % 10)", object: "app-\(target)", message: message), group: "", version: "v1",
        resource: "events", namespace: "team-\(target % 10)")
}
_ = try await receiver.waitForRequests(count: before + 5_000, timeout: .seconds(60))
let latencies = await receiver.requests().compactMap { request -> Double? in
    guard let message = request.bodyJSON?["message"]?.stringValue, let start = sent[message] else { return nil }
    let duration = start.duration(to: request.receivedAt)
    return Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}.sorted()
let p50 = latencies[latencies.count / 2]
let p99 = latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
say(String(format: "end-to-end latency at 500 events/s (%d events): p50 %.1f ms, p99 %.1f ms", latencies.count, p50, p99))
say(String(format: "final peak RSS: %.1f MiB", status(process.processIdentifier, "VmHWM")))
// The stalled provider would hold a graceful shutdown for its timeout; the figures are taken, so stop hard.
kill(process.processIdentifier, SIGKILL)
exit(0)

struct LogFile {
    let path: String
    var text: String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
}
