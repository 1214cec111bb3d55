import HeraldCore
import Logging
import Synchronization

/// What the dispatcher does when a Provider's queue is full.
public enum OverflowPolicy: String, Sendable, Hashable, CaseIterable {
    /// Refuse the new notification, count it and log it. The event source never waits (cluster mode).
    case drop
    /// Wait for room. For finite inputs such as a replay, where losing nothing matters more than latency.
    case block
}

/// Counters the dispatcher keeps; the metrics endpoint and the replay summary read them.
public struct DispatcherStats: Sendable, Hashable {
    public var enqueued = 0
    public var delivered = 0
    public var duplicates = 0
    public var skipped = 0
    public var failed = 0
    public var overflowed = 0
    public var queued = 0
    public var inFlight = 0
}

/// Delivers notifications with a fixed number of workers and one bounded queue per Provider.
///
/// A Provider has at most one delivery in flight, so its notifications arrive in order and a slow or
/// stalled Provider holds one worker at most: the others keep serving every other Provider. Memory is
/// bounded by `queueCapacity` per Provider.
public actor Dispatcher {
    public let concurrency: Int
    public let queueCapacity: Int
    public let overflow: OverflowPolicy
    private let deliverer: Deliverer
    private let logger: Logger
    private let onOutcome: @Sendable (DeliveryJob, DeliveryOutcome) -> Void

    private var queues: [ObjectKey: BoundedQueue<DeliveryJob>] = [:]
    private var readySet: Set<ObjectKey> = []
    private var busy: Set<ObjectKey> = []
    private var workWaiters: [CheckedContinuation<DeliveryJob?, Never>] = []
    private var spaceWaiters: [ObjectKey: [CheckedContinuation<Void, Never>]] = [:]
    private var finishing = false
    private var readyOrder: [ObjectKey] = []
    private var readyHead = 0
    public private(set) var stats = DispatcherStats()
    private let depths = Mutex<[ObjectKey: Int]>([:])

    /// Queue depth per provider, readable from any thread (the metrics endpoint reads it).
    public nonisolated var queueDepths: [ObjectKey: Int] { depths.withLock { $0 } }

    private func publishDepth(_ key: ObjectKey) {
        let depth = queues[key]?.count ?? 0
        depths.withLock { $0[key] = depth == 0 ? nil : depth }
    }

    /// `onOutcome` sees every job's end, refusals included; it must not block (observers are quick).
    public init(
        concurrency: Int = 4, queueCapacity: Int = 100, overflow: OverflowPolicy = .drop, deliverer: Deliverer, logger: Logger,
        onOutcome: @escaping @Sendable (DeliveryJob, DeliveryOutcome) -> Void = { _, _ in }
    ) {
        self.concurrency = max(1, concurrency)
        self.queueCapacity = max(1, queueCapacity)
        self.overflow = overflow
        self.deliverer = deliverer
        self.logger = logger
        self.onOutcome = onOutcome
    }

    /// Runs the workers until ``finish()`` was called and every queue is empty.
    public func run() async {
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<concurrency {
                    group.addTask { await self.work() }
                }
            }
        } onCancel: {
            Task { await self.abandon() }
        }
    }

    /// Cancellation: queued jobs are dropped (counted as failed) and idle workers released.
    private func abandon() {
        finishing = true
        dropQueued(reason: "not delivered: shutting down")
    }

    /// Drops every queued job (counted as failed), e.g. when this process stops being the leader.
    public func dropQueued(reason: String) {
        for (key, var queue) in queues {
            while let job = queue.popFirst() {
                stats.queued -= 1
                stats.failed += 1
                onOutcome(job, .failed(DeliveryFailure(message: reason, attempts: 0, kind: .notAttempted)))
            }
            queues[key] = nil
            publishDepth(key)
        }
        for waiters in spaceWaiters.values { for waiter in waiters { waiter.resume() } }
        spaceWaiters = [:]
        wakeIdleWorkersIfDone()
    }

    /// Queues a job; `false` when it was refused because its Provider's queue is full (``OverflowPolicy/drop``).
    @discardableResult
    public func enqueue(_ job: DeliveryJob) async -> Bool {
        let key = job.provider
        while queues[key]?.isFull == true {
            switch overflow {
            case .drop:
                stats.overflowed += 1
                logger.error(
                    "notification dropped: provider queue is full",
                    metadata: [
                        "provider": "\(key)", "alert": "\(job.alert)", "queue.capacity": "\(queueCapacity)",
                        "event.kind": "\(job.event.involvedObject.kind)", "event.name": "\(job.event.involvedObject.name)",
                    ])
                onOutcome(
                    job,
                    .failed(DeliveryFailure(message: "provider queue is full (\(queueCapacity))", attempts: 0, kind: .queueFull)))
                return false
            case .block:
                await withCheckedContinuation { continuation in spaceWaiters[key, default: []].append(continuation) }
            }
        }
        // In place: a copy taken out of the dictionary would share the ring and copy it on append.
        _ = queues[key, default: BoundedQueue(capacity: queueCapacity)].append(job)
        stats.enqueued += 1
        stats.queued += 1
        publishDepth(key)
        markReady(key)
        return true
    }

    /// No more jobs will come; ``run()`` returns once everything queued has been handled.
    public func finish() {
        finishing = true
        wakeIdleWorkersIfDone()
    }

    /// Number of jobs waiting in `provider`'s queue.
    public func depth(of provider: ObjectKey) -> Int { queues[provider]?.count ?? 0 }

    private func work() async {
        while !Task.isCancelled, let job = await next() {
            let outcome = await deliverer.deliver(job)
            complete(job, outcome)
        }
    }

    private func next() async -> DeliveryJob? {
        if let job = takeReadyJob() { return job }
        if finishing && stats.queued == 0 { return nil }
        return await withCheckedContinuation { continuation in workWaiters.append(continuation) }
    }

    private func takeReadyJob() -> DeliveryJob? {
        while readyHead < readyOrder.count {
            let key = readyOrder[readyHead]
            readyHead += 1
            if readyHead > 1024 && readyHead * 2 > readyOrder.count {
                readyOrder.removeFirst(readyHead)
                readyHead = 0
            }
            readySet.remove(key)
            guard !busy.contains(key), let job = queues[key]?.popFirst() else { continue }
            if queues[key]?.isEmpty == true { queues[key] = nil }
            publishDepth(key)
            busy.insert(key)
            stats.queued -= 1
            stats.inFlight += 1
            if let waiter = spaceWaiters[key]?.first {
                spaceWaiters[key]?.removeFirst()
                if spaceWaiters[key]?.isEmpty == true { spaceWaiters[key] = nil }
                waiter.resume()
            }
            return job
        }
        return nil
    }

    private func markReady(_ key: ObjectKey) {
        guard !busy.contains(key), !readySet.contains(key), queues[key] != nil else { return }
        readySet.insert(key)
        readyOrder.append(key)
        if !workWaiters.isEmpty, let job = takeReadyJob() {
            workWaiters.removeFirst().resume(returning: job)
        }
    }

    private func complete(_ job: DeliveryJob, _ outcome: DeliveryOutcome) {
        busy.remove(job.provider)
        stats.inFlight -= 1
        switch outcome {
        case .delivered: stats.delivered += 1
        case .duplicate: stats.duplicates += 1
        case .skipped: stats.skipped += 1
        case .failed: stats.failed += 1
        }
        onOutcome(job, outcome)
        markReady(job.provider)
        wakeIdleWorkersIfDone()
    }

    private func wakeIdleWorkersIfDone() {
        guard finishing, stats.queued == 0 else { return }
        let waiters = workWaiters
        workWaiters = []
        for waiter in waiters { waiter.resume(returning: nil) }
    }
}
