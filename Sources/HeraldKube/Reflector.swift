import HeraldJSON
import Logging
import Synchronization

/// Receives what a ``Reflector`` reads: pages of a (re)list, then watch events, in order.
///
/// A consumer keeps only what it needs: the Event source keeps a bounded occurrence memory, the
/// Flux store keeps Alerts and Providers. The reflector itself keeps no objects.
public protocol ReflectorConsumer: Sendable {
    /// A list starts: `reason` is `initial`, `expired` (410 Gone) or `error`.
    func listStarted(reason: String) async
    func listPage(_ items: [JSONValue]) async
    /// The list is complete at `resourceVersion`; the watch resumes from there.
    func listFinished(resourceVersion: String) async
    /// `ADDED`, `MODIFIED` or `DELETED` (bookmarks and errors are handled by the reflector).
    func watchEvent(type: String, object: JSONValue) async
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

    /// Runs until the task is cancelled.
    public func run() async {
        var listReason: String? = "initial"
        var backoff = settings.initialBackoff
        // A server that answers 410 to the watch right after a fresh list would otherwise be relisted
        // in a hot loop; from the second 410 in a row the relist waits for the backoff.
        var goneStreak = 0
        while !Task.isCancelled {
            if let reason = listReason {
                if reason == "expired" && goneStreak > 1 {
                    let wait = Self.wait(after: .transport("repeated 410"), backoff: backoff)
                    logger.warning("resource version expired again right after a relist; backing off", metadata: ["backoff": "\(wait)"])
                    try? await Task.sleep(for: wait)
                    backoff = min(backoff * 2, settings.maximumBackoff)
                }
                logger.debug("reflector listing", metadata: ["reason": "\(reason)"])
                do {
                    try await list(reason: reason)
                    listReason = nil
                    backoff = settings.initialBackoff
                } catch {
                    state.withLock { $0.stats.failures += 1 }
                    let wait = Self.wait(after: error, backoff: backoff)
                    logger.warning("list failed; backing off", metadata: ["error": "\(error)", "backoff": "\(wait)"])
                    try? await Task.sleep(for: wait)
                    backoff = min(backoff * 2, settings.maximumBackoff)
                    listReason = error.isGone ? "expired" : (reason == "initial" ? "initial" : "error")
                }
                continue
            }
            let timeout = Int.random(in: settings.watchTimeout)
            state.withLock { $0.stats.watchesStarted += 1 }
            logger.debug("reflector watching", metadata: ["resourceVersion": "\(resourceVersion)", "timeoutSeconds": "\(timeout)"])
            let gone = Locked(false)
            let progressed = Locked(false)
            defer {
                // A stream that delivered anything was healthy: the next failure starts a fresh backoff.
                if progressed.value {
                    goneStreak = 0
                    backoff = settings.initialBackoff
                }
            }
            do {
                try await client.watch(path, resourceVersion: resourceVersion, timeoutSeconds: timeout, stallTimeout: settings.stallTimeout)
                {
                    item in
                    if gone.value { return }
                    switch await self.handle(item) {
                    case .gone: gone.value = true
                    case .handled: progressed.value = true
                    }
                }
                if gone.value {
                    state.withLock { $0.stats.relistsExpired += 1 }
                    logger.info("watch resource version expired (410); relisting")
                    listReason = "expired"
                    goneStreak += 1
                } else {
                    state.withLock { $0.stats.watchTimeouts += 1 }
                    goneStreak = 0
                    backoff = settings.initialBackoff
                }
            } catch {
                if Task.isCancelled { return }
                switch error {
                case .stalled:
                    state.withLock { $0.stats.stalls += 1 }
                    logger.warning("watch stalled; reopening", metadata: ["timeout": "\(settings.stallTimeout)"])
                case .failed(let kubeError) where kubeError.isGone:
                    state.withLock { $0.stats.relistsExpired += 1 }
                    logger.info("watch resource version expired (410); relisting")
                    listReason = "expired"
                    goneStreak += 1
                    continue
                case .failed(let kubeError):
                    state.withLock { $0.stats.failures += 1 }
                    let wait = Self.wait(after: kubeError, backoff: backoff)
                    logger.warning("watch failed; backing off", metadata: ["error": "\(kubeError)", "backoff": "\(wait)"])
                    try? await Task.sleep(for: wait)
                    backoff = min(backoff * 2, settings.maximumBackoff)
                }
            }
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
            case "BOOKMARK":
                state.withLock { state in
                    state.stats.bookmarks += 1
                    if !version.isEmpty { state.resourceVersion = version }
                }
                return .handled
            case "ERROR":
                let code = object["code"]?.intValue ?? 0
                if code == 410 { return .gone }
                state.withLock { $0.stats.failures += 1 }
                logger.warning("watch error event", metadata: ["code": "\(code)", "message": "\(object["message"]?.stringValue ?? "")"])
                return .gone
            default:
                await consumer.watchEvent(type: type, object: object)
                state.withLock { state in
                    state.stats.events += 1
                    if !version.isEmpty { state.resourceVersion = version }
                }
                return .handled
            }
        }
    }

    private func list(reason: String) async throws(KubeError) {
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

    /// Backoff with jitter (±20%), or the server's `Retry-After` on 429/503.
    static func wait(after error: KubeError, backoff: Duration) -> Duration {
        if case .status(let code, _, _, let retryAfter) = error, code == 429 || code == 503, let retryAfter {
            return .seconds(max(0, retryAfter))
        }
        let factor = Double.random(in: 0.8...1.2)
        return backoff * factor
    }
}
