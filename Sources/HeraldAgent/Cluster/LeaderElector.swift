import HeraldCore
import HeraldJSON
import HeraldKube
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Lease-based leader election (`coordination.k8s.io/v1`), client-go's algorithm.
///
/// Every `retryPeriod` the elector reads the Lease: it renews it when it holds it, takes it when it is
/// free or its holder has not renewed for `leaseDuration` (measured on the local clock since the record
/// was last seen to change, so clock skew between nodes does not matter), and otherwise waits. A leader
/// that cannot renew for `renewDeadline` steps down at once. Updates carry the resourceVersion, so two
/// candidates can never both win.
public final class LeaderElector: Sendable {
    public struct Timing: Sendable, Hashable {
        public var leaseDuration: Duration
        public var renewDeadline: Duration
        public var retryPeriod: Duration

        /// notification-controller's defaults.
        public init(leaseDuration: Duration = .seconds(35), renewDeadline: Duration = .seconds(30), retryPeriod: Duration = .seconds(5)) {
            self.leaseDuration = leaseDuration
            self.renewDeadline = renewDeadline
            self.retryPeriod = retryPeriod
        }
    }

    public let identity: String
    private let client: KubeClient
    private let path: ResourcePath
    private let timing: Timing
    private let clock: WallClock
    private let logger: Logger

    private struct State {
        var leader = false
        var lastRenew: ContinuousClock.Instant?
        var observed: String?
        var observedAt: ContinuousClock.Instant = .now
        var transitions = 0
        /// Subscribers of ``leadership()``, each told of every change.
        var subscribers: [Int: AsyncStream<Bool>.Continuation] = [:]
        var nextSubscriber = 0

        /// Sets leadership and tells subscribers when it changed; returns whether it did.
        mutating func setLeader(_ leading: Bool) -> Bool {
            guard leader != leading else { return false }
            leader = leading
            for subscriber in subscribers.values { subscriber.yield(leading) }
            return true
        }
    }

    private let state = Mutex(State())

    /// Competes for Lease `namespace/name` as `identity`; `clock` stamps the renew times written to it.
    public init(
        client: KubeClient, namespace: String, name: String, identity: String, timing: Timing, clock: WallClock = .system, logger: Logger
    ) {
        self.clock = clock
        self.client = client
        self.path = ResourcePath(group: "coordination.k8s.io", version: "v1", resource: "leases", namespace: namespace, name: name)
        self.identity = identity
        self.timing = timing
        self.logger = logger
    }

    /// A unique identity for this process: host name plus a random suffix.
    public static func defaultIdentity() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let host =
            gethostname(&buffer, buffer.count) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "herald"
        return "\(host)_\(String(UInt32.random(in: .min ... .max), radix: 16))"
    }

    public var isLeader: Bool { state.withLock { $0.leader } }

    /// Leadership as a stream of changes: the current value first, then each change. A slow reader sees
    /// the newest value, never a stale backlog. The stream ends when the reading task is cancelled.
    public func leadership() -> AsyncStream<Bool> {
        let (stream, continuation) = AsyncStream.makeStream(of: Bool.self, bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state in
            let id = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[id] = continuation
            continuation.yield(state.leader)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Streams of ``leadership()`` still being read; an ended stream is removed at once.
    var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Returns once this process leads, or when the task is cancelled.
    public func waitForLeadership() async { await wait(until: true) }

    /// Returns once this process no longer leads, or when the task is cancelled.
    public func waitForLoss() async { await wait(until: false) }

    private func wait(until leading: Bool) async {
        for await value in leadership() where value == leading { return }
    }

    /// Runs the election until cancelled. Call ``releaseIfLeading()`` afterwards, outside the cancelled task.
    public func run() async {
        while !Task.isCancelled {
            await attempt()
            try? await Task.sleep(for: timing.retryPeriod)
        }
    }

    private func attempt() async {
        let now = ContinuousClock.now
        do {
            let leading = try await tryAcquireOrRenew(now: now)
            if leading {
                let became = state.withLock { state -> Bool in
                    state.lastRenew = now
                    return state.setLeader(true)
                }
                if became { logger.info("became the leader", metadata: ["lease": "\(path)", "identity": "\(identity)"]) }
                return
            }
            stepDownIfLeading(reason: "another holder has the lease")
        } catch {
            logger.warning("leader election: cannot read or write the Lease", metadata: ["error": "\(error)"])
            let expired = state.withLock { state in
                state.leader && (state.lastRenew.map { $0.duration(to: .now) > timing.renewDeadline } ?? true)
            }
            if expired { stepDownIfLeading(reason: "could not renew within the renew deadline") }
        }
    }

    private func stepDownIfLeading(reason: String) {
        let was = state.withLock { $0.setLeader(false) }
        if was { logger.error("lost leadership; delivery stops", metadata: ["reason": "\(reason)"]) }
    }

    private func tryAcquireOrRenew(now: ContinuousClock.Instant) async throws(KubeError) -> Bool {
        let stamp = clock.microTime
        let seconds = Int(timing.leaseDuration.components.seconds)
        let current: JSONValue
        do {
            current = try await client.get(path)
        } catch  where error.isNotFound {
            let lease: JSONValue = [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": .string(path.name ?? ""), "namespace": .string(path.namespace ?? "")],
                "spec": [
                    "holderIdentity": .string(identity), "leaseDurationSeconds": .integer(seconds), "acquireTime": .string(stamp),
                    "renewTime": .string(stamp), "leaseTransitions": 0,
                ],
            ]
            do {
                _ = try await client.create(
                    ResourcePath(group: path.group, version: path.version, resource: path.resource, namespace: path.namespace), lease)
                return true
            } catch  where error.code == 409 {
                return false
            }
        }
        let spec = current["spec"]
        let holder = spec?["holderIdentity"]?.stringValue ?? ""
        let record = "\(holder)|\(spec?["renewTime"]?.stringValue ?? "")"
        let sinceChange = state.withLock { state -> Duration in
            if state.observed != record {
                state.observed = record
                state.observedAt = now
            }
            return state.observedAt.duration(to: now)
        }
        let leaseSeconds = spec?["leaseDurationSeconds"]?.intValue ?? seconds
        if !holder.isEmpty && holder != identity && sinceChange < .seconds(leaseSeconds) { return false }

        guard case .object(var object) = current, case .object(var newSpec) = current["spec"] ?? .object(JSONObject()) else {
            throw .decoding("Lease \(path) is not an object")
        }
        if holder != identity {
            newSpec["acquireTime"] = .string(stamp)
            newSpec["leaseTransitions"] = .integer((spec?["leaseTransitions"]?.intValue ?? 0) + (holder.isEmpty ? 0 : 1))
        }
        newSpec["holderIdentity"] = .string(identity)
        newSpec["renewTime"] = .string(stamp)
        newSpec["leaseDurationSeconds"] = .integer(seconds)
        object["spec"] = .object(newSpec)
        do {
            // The object's resourceVersion makes this a compare-and-swap: a concurrent winner gets 409 here.
            _ = try await client.update(path, .object(object))
            return true
        } catch  where error.code == 409 {
            return isLeader && holder == identity ? try await tryAcquireOrRenew(now: now) : false
        }
    }

    /// Hands the Lease over at shutdown (holder cleared, 1 s duration) so a standby takes over at once.
    public func releaseIfLeading() async {
        guard isLeader else { return }
        do {
            let current = try await client.get(path)
            guard current["spec"]?["holderIdentity"]?.stringValue == identity, case .object(var object) = current,
                case .object(var spec) = current["spec"] ?? .null
            else { return }
            spec["holderIdentity"] = ""
            spec["leaseDurationSeconds"] = 1
            object["spec"] = .object(spec)
            _ = try await client.update(path, .object(object))
            _ = state.withLock { $0.setLeader(false) }
            logger.info("released the lease", metadata: ["lease": "\(path)"])
        } catch {
            logger.warning("could not release the lease; a standby takes over when it expires", metadata: ["error": "\(error)"])
        }
    }

}
