import HeraldCore
import HeraldJSON
import HeraldKube
import HeraldNotifiers
import Logging
import Synchronization

/// Alerts and Providers from the API server, kept in memory, and the Secrets their Providers use.
///
/// Every change rebuilds one immutable, numbered ``RoutingSnapshot`` and hands it to the
/// ``EventProcessor``, so edits take effect without a restart. Changes only signal; one task
/// (``runRebuilds(coalescing:)``) builds the snapshots, one after the other, so they are published in
/// the order they were built and a slow Secret read cannot let an older snapshot overtake a newer one. Secrets are fetched when a Provider needs them, cached for
/// `secretTTL`, and fetched again when the Provider changes or a delivery is refused with 401/403.
/// There is no watch on Secrets.
public actor FluxObjectStore {
    public enum Kind: String, Sendable { case alert = "Alert", provider = "Provider" }

    struct Stored: Sendable {
        var meta: ObjectMeta
        var object: FluxObject?
        var error: ManifestError?
        var status: JSONValue?
        /// What routing reads (the uid and the spec): a change elsewhere (status, managedFields) needs no rebuild.
        var routingInput: JSONValue?
    }

    private let client: KubeClient
    private let api: FluxServedAPI
    private let processor: EventProcessor
    private let statusWriter: StatusWriter
    private let logger: Logger
    private let secretTTL: Duration
    private var alerts: [ObjectKey: Stored] = [:]
    private var providers: [ObjectKey: Stored] = [:]
    private var listing: [Kind: [ObjectKey: Stored]] = [:]
    private var synced: Set<Kind> = []
    private var secrets: [ObjectKey: (secret: Secret?, fetched: ContinuousClock.Instant)] = [:]
    private var dirty = false
    private let changes: AsyncStream<Void>
    private let changed: AsyncStream<Void>.Continuation
    private var snapshotNumber = 0
    private var snapshotWaiters: [CheckedContinuation<Void, Never>] = []
    private let published = Mutex(false)

    /// Secrets are cached for `secretTTL`; Provider delivery status is written at most once per
    /// `deliveryStatusInterval` per Provider.
    public init(
        client: KubeClient, api: FluxServedAPI, processor: EventProcessor, logger: Logger, secretTTL: Duration = .seconds(300),
        deliveryStatusInterval: Duration = .seconds(30), clock: WallClock = .system
    ) {
        self.client = client
        self.api = api
        self.processor = processor
        self.logger = logger
        self.secretTTL = secretTTL
        self.statusWriter = StatusWriter(
            client: client, api: api, logger: logger, deliveryInterval: deliveryStatusInterval, clock: clock)
        (changes, changed) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Whether both Alerts and Providers have been listed once.
    public var hasSynced: Bool { synced.contains(.alert) && synced.contains(.provider) }

    /// Whether the first routing snapshot has been handed to the processor (readable from any thread).
    public nonisolated var hasPublished: Bool { published.withLock { $0 } }

    /// Returns once the first snapshot is published: Events must not be routed against an empty table.
    public func waitForFirstSnapshot() async {
        if hasPublished { return }
        await withCheckedContinuation { snapshotWaiters.append($0) }
    }

    /// The reflector consumer for one kind.
    public nonisolated func feed(_ kind: Kind) -> some ReflectorConsumer { StoreFeed(store: self, kind: kind) }

    func beginList(_ kind: Kind) { listing[kind] = [:] }

    func listed(_ kind: Kind, _ items: [JSONValue]) {
        for item in items {
            let stored = decode(item, kind: kind)
            listing[kind, default: [:]][stored.meta.key] = stored
        }
    }

    func endList(_ kind: Kind) {
        let fresh = listing.removeValue(forKey: kind) ?? [:]
        switch kind {
        case .alert: alerts = fresh
        case .provider: providers = fresh
        }
        synced.insert(kind)
        scheduleRebuild()
    }

    func apply(_ kind: Kind, type: WatchEventType, object: JSONValue) {
        let stored = decode(object, kind: kind)
        let key = stored.meta.key
        switch (kind, type) {
        case (.alert, .deleted): alerts.removeValue(forKey: key)
        case (.provider, .deleted): providers.removeValue(forKey: key)
        case (.alert, _):
            let routingChanged = alerts[key]?.routingInput != stored.routingInput
            alerts[key] = stored
            guard routingChanged else { return }
        case (.provider, _):
            let routingChanged = providers[key]?.routingInput != stored.routingInput
            // A changed Provider may point at changed Secrets: read them again.
            if routingChanged { invalidateSecrets(of: stored) }
            providers[key] = stored
            guard routingChanged else { return }
        }
        scheduleRebuild()
    }

    /// Learns what became of a Provider's deliveries: the newest outcome sets its `LastDelivery` status,
    /// and after a 401/403 among them its Secrets are read again (the credentials may have rotated).
    func observe(_ news: ProviderOutcomeFeed.News, provider key: ObjectKey) async {
        if news.credentialsRejected { credentialsRejected(provider: key) }
        await statusWriter.recordDelivery(provider: key, outcome: news.outcome)
    }

    /// A delivery was refused with 401/403: the credentials may have rotated.
    public func credentialsRejected(provider key: ObjectKey) {
        guard let stored = providers[key] else { return }
        invalidateSecrets(of: stored)
        scheduleRebuild()
    }

    private func invalidateSecrets(of stored: Stored) {
        guard case .provider(let provider)? = stored.object else { return }
        for key in provider.secretKeys { secrets.removeValue(forKey: key) }
    }

    private func decode(_ object: JSONValue, kind: Kind) -> Stored {
        let metadata = object["metadata"]
        let key = ObjectKey(
            namespace: metadata?["namespace"]?.stringValue ?? "", name: metadata?["name"]?.stringValue ?? "")
        let meta = ObjectMeta(
            key: key, uid: metadata?["uid"]?.stringValue ?? "", generation: metadata?["generation"]?.intValue ?? 0,
            resourceVersion: metadata?["resourceVersion"]?.stringValue ?? "")
        let routingInput: JSONValue = [
            "uid": .string(meta.uid), "spec": object["spec"] ?? .null, "apiVersion": object["apiVersion"] ?? .null,
        ]
        do {
            let decoded = try api.decode(object, as: kind)
            return Stored(meta: meta, object: decoded, error: nil, status: object["status"], routingInput: routingInput)
        } catch {
            return Stored(meta: meta, object: nil, error: error, status: object["status"], routingInput: routingInput)
        }
    }

    private func scheduleRebuild() {
        guard hasSynced else { return }
        dirty = true
        changed.yield()
    }

    /// Builds a snapshot after each change signal until cancelled; a burst of changes (a list, an apply
    /// of many objects) arriving within `coalescing` makes one rebuild.
    public func runRebuilds(coalescing: Duration = .milliseconds(50)) async {
        for await _ in changes {
            guard dirty else { continue }
            try? await Task.sleep(for: coalescing)
            if Task.isCancelled { return }
            dirty = false
            await rebuild()
        }
    }

    /// Builds and publishes the next snapshot, then reports each object's readiness. Only
    /// ``runRebuilds(coalescing:)`` calls it, so two rebuilds never interleave.
    private func rebuild() async {
        // Everything read after an `await` could be newer: work from what is current now.
        let alerts = self.alerts
        let providers = self.providers
        let validAlerts = alerts.values.compactMap { stored -> Alert? in
            if case .alert(let alert)? = stored.object { return alert }
            return nil
        }
        let validProviders = providers.values.compactMap { stored -> Provider? in
            if case .provider(let provider)? = stored.object { return provider }
            return nil
        }
        var neededSecrets: [ObjectKey: Secret] = [:]
        var referenced: Set<ObjectKey> = []
        for provider in validProviders {
            for key in provider.secretKeys {
                referenced.insert(key)
                if let secret = await secret(key) { neededSecrets[key] = secret }
            }
        }
        // Secrets no Provider refers to any more are dropped from the cache.
        secrets = secrets.filter { referenced.contains($0.key) }
        var snapshot = RoutingSnapshot(alerts: validAlerts, providers: validProviders, secrets: neededSecrets, labels: NoLabels())
        snapshotNumber += 1
        snapshot.number = snapshotNumber
        await processor.update(snapshot: snapshot)
        if !hasPublished {
            published.withLock { $0 = true }
            let waiters = snapshotWaiters
            snapshotWaiters = []
            for waiter in waiters { waiter.resume() }
        }
        for warning in snapshot.loadWarnings { logger.warning("\(warning)") }
        logger.debug(
            "routing snapshot rebuilt",
            metadata: ["snapshot": "\(snapshot.number)", "alerts": "\(validAlerts.count)", "providers": "\(validProviders.count)"])
        await statusWriter.report(alerts: alerts, providers: providers, snapshot: snapshot)
    }

    private func secret(_ key: ObjectKey) async -> Secret? {
        if let cached = secrets[key], cached.fetched.duration(to: .now) < secretTTL { return cached.secret }
        do {
            let secret = try await client.secret(key)
            secrets[key] = (secret, .now)
            return secret
        } catch {
            // Never log the object: only its key and the error, which holds no values.
            logger.error("failed to read Secret \(key): \(error)")
            return secrets[key]?.secret
        }
    }
}

/// Forwards one reflector's reads to the store, tagged with the kind.
struct StoreFeed: ReflectorConsumer {
    let store: FluxObjectStore
    let kind: FluxObjectStore.Kind

    func listStarted(reason: ListReason) async { await store.beginList(kind) }
    func listPage(_ items: [JSONValue]) async { await store.listed(kind, items) }
    func listFinished(resourceVersion: String) async { await store.endList(kind) }
    func watchEvent(type: WatchEventType, object: JSONValue) async { await store.apply(kind, type: type, object: object) }
}
