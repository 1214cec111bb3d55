import HeraldJSON
import Logging
import Synchronization

/// Receives what a ``Reflector`` reads: pages of a (re)list, then watch events, in order.
///
/// A consumer keeps only what it needs: the Event source keeps a bounded occurrence memory, the
/// Flux store keeps Alerts and Providers. The reflector itself keeps no objects.
public protocol ReflectorConsumer: Sendable {
    func listStarted(reason: ListReason) async
    func listPage(_ items: [JSONValue]) async
    /// The list is complete at `resourceVersion`; the watch resumes from there.
    func listFinished(resourceVersion: String) async
    /// `added`, `modified` or `deleted` (bookmarks and errors are handled by the reflector).
    func watchEvent(type: WatchEventType, object: JSONValue) async
}

/// Why a reflector lists its collection.
public enum ListReason: String, Sendable, Hashable, CustomStringConvertible {
    /// The first list after start.
    case initial
    /// The watch's resume point is gone (410): a relist, after which changes missed meanwhile are seen.
    case expired
    /// The list before failed; this is its retry.
    case error

    public var description: String { rawValue }
}

/// Counters of a reflector's state machine, for metrics and tests.
public struct ReflectorStats: Sendable, Hashable {
    public var lists = 0
    public var relistsExpired = 0
    public var watchesStarted = 0
    public var watchTimeouts = 0
    public var stalls = 0
    public var failures = 0
    public var bookmarks = 0
    public var skippedLines = 0
    public var events = 0
}

/// List then watch one resource collection, forever, resuming where it left off (client-go's Reflector).
///
/// States: `listing` → `watching` → (`backingOff` →) `watching` again from the last resourceVersion,
/// or `relisting` after `410 Gone`. Bookmarks move the resume point. The server ends each watch after
/// `timeoutSeconds` (randomised between the bounds to spread load); a stream that sends nothing for
/// `stallTimeout` is abandoned and reopened. The resume point is owned here and nowhere else.
public final class Reflector: Sendable {
    public struct Settings: Sendable, Hashable {
        public var pageSize: Int
        public var watchTimeout: ClosedRange<Int>
        public var stallTimeout: Duration
        public var initialBackoff: Duration
        public var maximumBackoff: Duration

        public init(
            pageSize: Int = 500, watchTimeout: ClosedRange<Int> = 300...600, stallTimeout: Duration = .seconds(90),
            initialBackoff: Duration = .milliseconds(800), maximumBackoff: Duration = .seconds(30)
        ) {
            self.pageSize = pageSize
            self.watchTimeout = watchTimeout
            self.stallTimeout = stallTimeout
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
        }
    }

    public let client: KubeClient
    public let path: ResourcePath
    public let settings: Settings
    private let consumer: any ReflectorConsumer
    private let logger: Logger
    private let state = Mutex<(stats: ReflectorStats, synced: Bool, resourceVersion: String)>((ReflectorStats(), false, ""))

    /// Watches `path` for `consumer`; nothing is read until ``run()``.
    public init(client: KubeClient, path: ResourcePath, settings: Settings = Settings(), consumer: any ReflectorConsumer, logger: Logger) {
        self.client = client
        self.path = path
        self.settings = settings
        self.consumer = consumer
        var logger = logger
        logger[metadataKey: "resource"] = "\(path)"
        self.logger = logger
    }

    public var stats: ReflectorStats { state.withLock { $0.stats } }
    /// Whether the first list has completed.
    public var hasSynced: Bool { state.withLock { $0.synced } }
    /// The resume point: the last resourceVersion seen in a list, event or bookmark.
    public var resourceVersion: String { state.withLock { $0.resourceVersion } }

    /// Runs until the task is cancelled: list, then watch from where the list ended, relisting only
    /// when the server says the resume point expired (410 Gone).
    public func run() async {
        var loop = Loop(backoff: Backoff(initial: settings.initialBackoff, maximum: settings.maximumBackoff))
        while !Task.isCancelled {
            if let reason = loop.listReason {
                await relist(reason: reason, loop: &loop)
            } else {
                await watchOnce(loop: &loop)
            }
        }
    }

    /// What one pass of the state machine hands the next.
    private struct Loop {
        /// Set while a (re)list is due.
        var listReason: ListReason? = .initial
        var backoff: Backoff
        /// 410s in a row. A server that answers 410 to the watch right after a fresh list would otherwise
        /// be relisted in a hot loop; from the second 410 in a row the relist waits for the backoff.
        var goneStreak = 0

        init(backoff: Backoff) { self.backoff = backoff }

        mutating func expired() {
            listReason = .expired
            goneStreak += 1
        }

        mutating func healthy() {
            goneStreak = 0
            backoff.reset()
        }
    }

    private func relist(reason: ListReason, loop: inout Loop) async {
        if reason == .expired && loop.goneStreak > 1 {
            let wait = loop.backoff.next(after: .transport("repeated 410"))
            logger.warning("resource version expired again right after a relist; backing off", metadata: ["backoff": "\(wait)"])
            try? await Task.sleep(for: wait)
        }
        logger.debug("reflector listing", metadata: ["reason": "\(reason)"])
        do {
            try await list(reason: reason)
            loop.listReason = nil
            loop.backoff.reset()
        } catch {
            state.withLock { $0.stats.failures += 1 }
            let wait = loop.backoff.next(after: error)
            logger.warning("list failed; backing off", metadata: ["error": "\(error)", "backoff": "\(wait)"])
            try? await Task.sleep(for: wait)
            loop.listReason = error.isGone ? .expired : (reason == .initial ? .initial : .error)
        }
    }

    private func watchOnce(loop: inout Loop) async {
        let timeout = Int.random(in: settings.watchTimeout)
        state.withLock { $0.stats.watchesStarted += 1 }
        logger.debug("reflector watching", metadata: ["resourceVersion": "\(resourceVersion)", "timeoutSeconds": "\(timeout)"])
        let gone = Locked(false)
        let progressed = Locked(false)
        do {
            try await client.watch(path, resourceVersion: resourceVersion, timeoutSeconds: timeout, stallTimeout: settings.stallTimeout) {
                item in
                if gone.value { return }
                switch await self.handle(item) {
                case .gone: gone.value = true
                case .handled: progressed.value = true
                }
            }
            if gone.value {
                relistExpired(loop: &loop)
            } else {
                state.withLock { $0.stats.watchTimeouts += 1 }
                loop.healthy()
            }
        } catch {
            if Task.isCancelled { return }
            await watchEnded(error, loop: &loop)
        }
        // A stream that delivered anything was healthy: the next failure starts a fresh backoff.
        if progressed.value { loop.healthy() }
    }

    private func relistExpired(loop: inout Loop) {
        state.withLock { $0.stats.relistsExpired += 1 }
        logger.info("watch resource version expired (410); relisting")
        loop.expired()
    }

    private func watchEnded(_ end: WatchEnd, loop: inout Loop) async {
        switch end {
        case .stalled:
            state.withLock { $0.stats.stalls += 1 }
            logger.warning("watch stalled; reopening", metadata: ["timeout": "\(settings.stallTimeout)"])
        case .failed(let kubeError) where kubeError.isGone:
            relistExpired(loop: &loop)
        case .failed(let kubeError):
            state.withLock { $0.stats.failures += 1 }
            let wait = loop.backoff.next(after: kubeError)
            logger.warning("watch failed; backing off", metadata: ["error": "\(kubeError)", "backoff": "\(wait)"])
            try? await Task.sleep(for: wait)
        }
    }

    private enum Handling { case handled, gone }

    private func handle(_ item: WatchItem) async -> Handling {
        switch item {
        case .skipped(let reason):
            state.withLock { $0.stats.skippedLines += 1 }
            logger.warning("skipping a watch line", metadata: ["reason": "\(reason)"])
            return .handled
        case .event(let type, let object):
            let version = object["metadata"]?["resourceVersion"]?.stringValue ?? ""
            switch type {
            case .bookmark:
                state.withLock { state in
                    state.stats.bookmarks += 1
                    if !version.isEmpty { state.resourceVersion = version }
                }
                return .handled
            case .error:
                let code = object["code"]?.intValue ?? 0
                if code == 410 { return .gone }
                state.withLock { $0.stats.failures += 1 }
                logger.warning("watch error event", metadata: ["code": "\(code)", "message": "\(object["message"]?.stringValue ?? "")"])
                return .gone
            case .added, .modified, .deleted:
                await consumer.watchEvent(type: type, object: object)
                state.withLock { state in
                    state.stats.events += 1
                    if !version.isEmpty { state.resourceVersion = version }
                }
                return .handled
            }
        }
    }

    private func list(reason: ListReason) async throws(KubeError) {
        state.withLock { $0.stats.lists += 1 }
        await consumer.listStarted(reason: reason)
        var continueToken = ""
        var version = ""
        repeat {
            let page = try await client.list(path, limit: settings.pageSize, continueToken: continueToken)
            await consumer.listPage(page.items)
            if version.isEmpty { version = page.resourceVersion }
            continueToken = page.continueToken
        } while !continueToken.isEmpty
        await consumer.listFinished(resourceVersion: version)
        state.withLock { state in
            state.resourceVersion = version
            state.synced = true
        }
    }

    /// Exponential backoff between failed requests, reset by a healthy stream.
    struct Backoff {
        let initial: Duration
        let maximum: Duration
        private(set) var current: Duration

        init(initial: Duration, maximum: Duration) {
            self.initial = initial
            self.maximum = maximum
            self.current = initial
        }

        /// The wait before the next attempt; doubles the backoff for the one after.
        mutating func next(after error: KubeError) -> Duration {
            let wait = Reflector.wait(after: error, backoff: current)
            current = min(current * 2, maximum)
            return wait
        }

        mutating func reset() { current = initial }
    }

    /// Backoff with jitter (±20%), or the server's `Retry-After` on 429/503.
    static func wait(after error: KubeError, backoff: Duration) -> Duration {
        if case .status(let code, _, _, let retryAfter) = error, code == 429 || code == 503, let retryAfter {
            return .seconds(max(0, retryAfter))
        }
        let factor = Double.random(in: 0.8...1.2)
        return backoff * factor
    }
}
