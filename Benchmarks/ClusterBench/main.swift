// Cluster benchmark: `herald run` against the in-process fake API server, measured as `kubectl top` measures it.
//
// Usage: herald-cluster-bench [--explain] [--short] [--max-idle-anon MIB] [--events N] [--initial-events N]
//                             [--objects N] [--hostile-ingest] [BINARY]
//                             [-- HERALD-RUN-ARGUMENTS…]
//
// BINARY defaults to dist/herald-static-executable, the stripped static binary the image ships
// (scripts/build-release.sh). Herald runs in a memory cgroup of its own (v1 or v2, whichever the machine
// mounts) with its binary already in the page cache, as a container runtime leaves it. Printed, idle after
// the initial lists (200 Alerts, 200 Providers (`--objects`), and 3,000 Events from before the start, which are listed
// and not delivered) and at the peak of a burst of N Events (default 20,000; 10%
// matching; one provider hanging): VmRSS, RssAnon and the working set (cgroup usage − inactive_file), and
// the thread count. `--explain` adds the smaps breakdown (binary code and data, heap, thread stacks, malloc
// arenas). Without `--short` it also measures end-to-end latency at 500 events/s. `--max-idle-anon` makes
// the run fail when idle RssAnon exceeds it: anonymous memory is stable from run to run, unlike total RSS
// and throughput, which are only printed. Two runs with different `--objects` give the memory each Alert
// and Provider costs once decoded. `--hostile-ingest` opens the event endpoint and, after the burst, posts
// 3 MiB bodies to it, 16 at a time (half of them 3 MiB of tiny JSON values, half one event whose message
// is 3 MiB and matches an Alert), printing the peak memory of that phase and the answers it got.
import Foundation
import HeraldJSON
import HeraldTestSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Prints at once (stdout is block-buffered when redirected, and the run may be interrupted).
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

func fail(_ text: String) -> Never {
    say(text)
    exit(1)
}

struct Options {
    var binary = "dist/herald-static-executable"
    var events = 20_000
    var explain = false
    var short = false
    var maxIdleAnon: Double?
    /// Events already in the cluster when Herald starts (a real cluster keeps an hour of them).
    var initialEvents = 3_000
    /// Alerts, and as many Providers, in the cluster (each Alert names its own Provider).
    var objects = 200
    /// Post hostile 3 MiB bodies to the event endpoint after the burst.
    var hostileIngest = false
    /// Arguments after `--`, passed on to `herald run` (to measure one setting against another).
    var heraldArguments: [String] = []

    init(_ arguments: ArraySlice<String>) {
        var rest = arguments
        var positional: [String] = []
        while let argument = rest.popFirst() {
            switch argument {
            case "--explain": explain = true
            case "--short": short = true
            case "--hostile-ingest": hostileIngest = true
            case "--events": events = rest.popFirst().flatMap { Int($0) } ?? events
            case "--max-idle-anon": maxIdleAnon = rest.popFirst().flatMap { Double($0) }
            case "--initial-events": initialEvents = rest.popFirst().flatMap { Int($0) } ?? initialEvents
            case "--objects": objects = max(2, rest.popFirst().flatMap { Int($0) } ?? objects)
            case "--":
                heraldArguments = Array(rest)
                rest = []
            default: positional.append(argument)
            }
        }
        if let first = positional.first { binary = first }
        if positional.count > 1, let count = Int(positional[1]) { events = count }
        if short && !arguments.contains("--events") && positional.count < 2 { events = 2_000 }
    }
}

let options = Options(CommandLine.arguments.dropFirst())
let binary = options.binary
let burstSize = options.events
let objects = options.objects
let group = "notification.toolkit.fluxcd.io"
guard FileManager.default.isExecutableFile(atPath: binary) else {
    fail("no Herald binary at \(binary): build it with scripts/build-release.sh static-executable, or name one")
}

func metric(_ port: Int, _ name: String) -> Double {
    guard let (_, body) = httpGet(port: port, path: "/metrics") else { return 0 }
    return body.split(separator: "\n").filter { $0.hasPrefix(name) }.compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
}

func httpGet(port: Int, path: String) -> (Int, String)? { LoopbackHTTP.get(port: port, path: path).map { ($0.status, $0.body) } }

func event(_ index: Int, namespace: String, object: String, message: String, age: TimeInterval = 0) -> JSONValue {
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
        "lastTimestamp": .string(ISO8601DateFormatter().string(from: Date().addingTimeInterval(-age))), "count": 1,
    ]
}

// The binary in the page cache, read outside Herald's cgroup: a container runtime leaves it so, and its
// pages are then not charged to the container.
_ = try Data(contentsOf: URL(fileURLWithPath: binary))

let api = try await FakeKubeAPIServer.start(eventLogCapacity: burstSize * 2 + 10_000)
for (resource, kind) in [("alerts", "Alert"), ("providers", "Provider")] {
    api.register(
        FakeResourceType(group: group, versions: ["v1beta3"], resource: resource, kind: kind, namespaced: true, statusSubresource: false))
}
let receiver = try await WebhookRecorder.start()
receiver.respond(path: "/stalled", with: [.hang])
// N Providers and N Alerts over 10 namespaces; each Alert selects one Kustomization name.
for index in 0..<objects {
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
// Events from before the start (older than the startup grace): listed, decoded, not delivered.
for index in 0..<options.initialEvents {
    let namespace = "team-\(index % 10)"
    try api.create(
        event(-1 - index, namespace: namespace, object: "app-\(index % objects)", message: "before \(index)", age: 600), group: "",
        version: "v1", resource: "events", namespace: namespace)
}
let kubeconfig = FileManager.default.temporaryDirectory.appendingPathComponent("herald-bench-\(getpid()).yaml")
try Data(api.kubeconfig(token: nil, clientCertificate: false).utf8).write(to: kubeconfig)
let cgroup = MemoryCgroup.create(name: "herald-bench-\(getpid())")
let heraldArguments =
    [
        binary, "run", "--kubeconfig", kubeconfig.path, "--health-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--events-addr",
        options.hostileIngest ? "127.0.0.1:0" : "",
        "--log-level", "info", "--log-encoding", "console", "--rate-limit-interval", "1ms",
    ] + options.heraldArguments
let command = cgroup?.wrapping(heraldArguments) ?? heraldArguments
let process = Process()
process.executableURL = URL(fileURLWithPath: command[0])
process.arguments = Array(command.dropFirst())
// herald's log goes to a file the benchmark reads back (it logs the addresses it listens on).
let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("herald-bench-\(getpid()).log").path
_ = FileManager.default.createFile(atPath: logPath, contents: nil)
process.standardError = FileHandle(forWritingAtPath: logPath)
process.standardOutput = FileHandle.nullDevice
let log = LogFile(path: logPath)
try process.run()
let memory = ProcessMemory(pid: process.processIdentifier)

/// Stops Herald with SIGTERM (so a profiler it runs under can write its output), then SIGKILL after 20 s
/// (the hanging provider holds a graceful shutdown for `--shutdown-timeout`), and cleans up.
func finish(_ status: Int32) -> Never {
    kill(process.processIdentifier, SIGTERM)
    let deadline = Date().addingTimeInterval(20)
    while process.isRunning && Date() < deadline { usleep(50_000) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    cgroup?.remove()
    try? FileManager.default.removeItem(atPath: logPath)
    try? FileManager.default.removeItem(at: kubeconfig)
    exit(status)
}

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
    finish(1)
}
say("herald started; waiting for readiness")
let health = try await port("health probes")
let metricsPort = try await port("metrics")
let readyBy = ContinuousClock.now.advanced(by: .seconds(60))
while httpGet(port: health, path: "/readyz")?.0 != 200 {
    guard ContinuousClock.now < readyBy else {
        say("herald did not become ready:\n\(log.text)")
        finish(1)
    }
    try await Task.sleep(for: .milliseconds(50))
}
try await Task.sleep(for: .seconds(3))
let binarySize = (try? FileManager.default.attributesOfItem(atPath: binary))?[.size] as? Int ?? 0
say(
    "machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; herald: \(binary), \(String(format: "%.1f", Double(binarySize) / 1_048_576)) MiB"
)
say(cgroup.map { "memory cgroup \($0.version.rawValue): \($0.path)" } ?? "no writable memory cgroup: working set not measured")

func mib(_ bytes: Double) -> String { String(format: "%.1f", bytes / 1_048_576) }
func figure(_ value: Double) -> String { String(format: "%.1f", value) }

let idleAnon = memory.anonymous
say(
    "idle after sync (\(objects) Alerts, \(objects) Providers, \(options.initialEvents) Events listed): VmRSS \(figure(memory.rss)) MiB, RssAnon \(figure(idleAnon)) MiB, "
        + "working set \(cgroup.map { mib($0.workingSet) } ?? "n/a") MiB, threads \(memory.threads)")
if options.explain {
    for (kind, value) in memory.breakdown(binary: binary) where value >= 0.05 { say("  idle \(kind): \(figure(value)) MiB") }
}

/// The highest RssAnon and working set seen while sampling (VmHWM keeps the RSS peak itself).
final class PeakSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var anonymous = 0.0
    private var workingSet = 0.0
    private var rss = 0.0
    private var running = true

    func start(memory: ProcessMemory, cgroup: MemoryCgroup?) {
        Thread.detachNewThread {
            while self.lock.withLock({ self.running }) {
                let anonymous = memory.anonymous
                let workingSet = cgroup?.workingSet ?? 0
                let rss = memory.rss
                self.lock.withLock {
                    self.anonymous = max(self.anonymous, anonymous)
                    self.workingSet = max(self.workingSet, workingSet)
                    self.rss = max(self.rss, rss)
                }
                usleep(20_000)
            }
        }
    }

    func stop() -> (anonymous: Double, workingSet: Double, rss: Double) {
        lock.withLock {
            running = false
            return (anonymous, workingSet, rss)
        }
    }
}

// Burst: N Events, 10% naming a selected object (1 in `objects` of those goes to the stalled provider).
let sampler = PeakSampler()
sampler.start(memory: memory, cgroup: cgroup)
let burstStart = ContinuousClock.now
for index in 0..<burstSize {
    let selected = index % 10 == 0
    let target = (index / 10) % objects
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
try await Task.sleep(for: .seconds(1))
let peak = sampler.stop()
say(
    "peak during the burst (one provider hanging): VmRSS \(figure(memory.peakRSS)) MiB, RssAnon \(figure(peak.anonymous)) MiB, "
        + "working set \(cgroup.map { _ in mib(peak.workingSet) } ?? "n/a") MiB (cgroup max usage \(cgroup.map { mib($0.peakUsage) } ?? "n/a") MiB), "
        + "threads \(memory.threads), overflowed \(Int(metric(metricsPort, "herald_notifications_overflowed_total")))")
if options.explain {
    for (kind, value) in memory.breakdown(binary: binary) where value >= 0.05 { say("  after the burst \(kind): \(figure(value)) MiB") }
}
if options.hostileIngest { try await hostileIngest() }

/// 32 bodies of 3 MiB to the event endpoint, 16 at a time: half are 3 MiB of tiny values (400 beyond
/// 10,000 values), half one event with a 3 MiB message that an Alert routes (202, or 503 when the
/// endpoint's 8 MiB body budget is taken).
func hostileIngest() async throws {
    let ingest = try await port("event ingest")
    let limit = 3 << 20
    let values = "{\"message\":\"m\",\"x\":[" + String(repeating: "0,", count: (limit - 64) / 2) + "0]}"
    var flux: JSONValue = [
        "involvedObject": ["kind": "Kustomization", "namespace": "team-1", "name": "app-1"], "severity": "info",
        "timestamp": "2026-12-08T10:00:00Z", "reason": "ReconciliationSucceeded", "reportingController": "kustomize-controller",
        "message": "",
    ]
    let frame = JSONWriter.string(flux).utf8.count
    var answers: [Int: Int] = [:]
    let sampler = PeakSampler()
    sampler.start(memory: memory, cgroup: cgroup)
    for round in 0..<2 {
        // One thread per sender: LoopbackHTTP blocks, and the senders must really overlap.
        let statuses = Mutex<[Int]>([])
        let senders = DispatchGroup()
        for index in 0..<16 {
            if case .object(var object) = flux {
                object["message"] = .string("hostile \(round)-\(index) " + String(repeating: "x", count: limit - frame - 32))
                flux = .object(object)
            }
            let body = index % 2 == 0 ? values : JSONWriter.string(flux)
            DispatchQueue.global().async(group: senders) {
                let status = LoopbackHTTP.post(port: ingest, path: "/", json: body)?.status ?? 0
                statuses.withLock { $0.append(status) }
            }
        }
        await withCheckedContinuation { done in senders.notify(queue: .global()) { done.resume() } }
        for status in statuses.withLock({ $0 }) { answers[status, default: 0] += 1 }
    }
    try await Task.sleep(for: .seconds(2))
    let peak = sampler.stop()
    let summary = answers.sorted { $0.key < $1.key }.map { "\($0.value)× \($0.key)" }.joined(separator: ", ")
    say(
        "hostile ingest (32 bodies of 3 MiB, 16 at a time; answers \(summary)): peak VmRSS \(figure(peak.rss)) MiB, "
            + "RssAnon \(figure(peak.anonymous)) MiB, working set \(cgroup.map { _ in mib(peak.workingSet) } ?? "n/a") MiB; "
            + "after it: VmRSS \(figure(memory.rss)) MiB, RssAnon \(figure(memory.anonymous)) MiB")
}

if let limit = options.maxIdleAnon {
    guard idleAnon <= limit else {
        say("FAIL: idle RssAnon \(figure(idleAnon)) MiB exceeds \(figure(limit)) MiB")
        finish(1)
    }
    say("ok: idle RssAnon \(figure(idleAnon)) MiB is within \(figure(limit)) MiB")
}
if options.short { finish(0) }

// Latency at 500 events/s for 10 s, all matching fast providers.
try await Task.sleep(for: .seconds(2))
let before = await receiver.requests().count
var sent: [String: ContinuousClock.Instant] = [:]
let latencyStart = ContinuousClock.now
for index in 0..<5_000 {
    let due = latencyStart.advanced(by: .milliseconds(2 * index))
    if ContinuousClock.now < due { try await Task.sleep(until: due) }
    let target = 1 + index % (objects - 1)
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
say(String(format: "final peak RSS: %.1f MiB", memory.peakRSS))
finish(0)

struct LogFile {
    let path: String
    var text: String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
}
