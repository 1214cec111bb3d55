import HeraldCore

/// The one event path of every command: routes each event with the newest snapshot, tells the
/// observers, and hands the rendered notifications to the dispatcher.
///
/// `herald run` feeds it from the Event watch and the ingest endpoint, `herald replay` from a file.
/// Events are processed one at a time, in the order they arrive: an actor alone would let a later
/// event overtake one that waits for its involved object's labels, so a FIFO turn is taken around each.
public actor EventProcessor {
    private var pipeline: EventPipeline
    private let dispatcher: Dispatcher
    private let labels: (any InvolvedObjectLabels)?
    private let observer: any PipelineObserver
    private var jobsEnqueued = 0
    /// Whether an event is being processed, and the callers waiting for their turn, oldest first.
    private var turnTaken = false
    private var turnWaiters: [CheckedContinuation<Void, Never>] = []
    private var turnHead = 0
    public private(set) var processed = 0

    private let clock: WallClock
    private let progress: ProcessorProgress?

    /// `labels` reads involved objects' labels for `matchLabels` (nil: the snapshot's own labels, as in
    /// replay); `clock` converts rate-limit windows to the wall-clock `X-RateLimit-Reset`.
    public init(
        pipeline: EventPipeline, dispatcher: Dispatcher, labels: (any InvolvedObjectLabels)?, observer: any PipelineObserver,
        clock: WallClock = .system, progress: ProcessorProgress? = nil
    ) {
        self.clock = clock
        self.progress = progress
        self.pipeline = pipeline
        self.dispatcher = dispatcher
        self.labels = labels
        self.observer = observer
    }

    /// Swaps in new Alerts, Providers and clients for the next event; a snapshot older than the one in
    /// force (a lower ``RoutingSnapshot/number``) is ignored, so routing never goes back in time.
    @discardableResult
    public func update(snapshot: RoutingSnapshot) -> Bool {
        guard snapshot.number > pipeline.snapshot.number else { return false }
        pipeline.snapshot = snapshot
        return true
    }

    public var snapshot: RoutingSnapshot { pipeline.snapshot }

    /// Event keys the rate limiter forgot to stay within its capacity.
    public var rateLimiterEvictions: Int { pipeline.rateLimiter.evictions }

    /// Processes one event and tells the caller what became of it (the HTTP ingest answers with it).
    @discardableResult
    public func process(_ decoded: DecodedEvent, origin: InputOrigin = .watch) async -> PipelineResult.Disposition {
        await processReporting(decoded, origin: origin).disposition
    }

    /// Processes one event; the result's `rateLimitWindowEnd` is converted to wall-clock seconds.
    public func processReporting(
        _ decoded: DecodedEvent, origin: InputOrigin = .watch
    ) async -> (
        disposition: PipelineResult.Disposition, windowEndWallSeconds: Int64?
    ) {
        let result = await processInTurn(decoded, origin: origin)
        let wall = result.rateLimitWindowEnd.map { end -> Int64 in
            let remaining = end - Self.now()
            return clock.reading.seconds + (remaining + 999_999_999) / 1_000_000_000
        }
        return (result.disposition, wall)
    }

    /// Processes one event after every event that arrived before it, and returns the whole result;
    /// `line` (replay's line number) goes into its log lines.
    public func processInTurn(_ decoded: DecodedEvent, origin: InputOrigin, line: Int? = nil) async -> PipelineResult {
        await takeTurn()
        progress?.began()
        defer {
            progress?.finished()
            passTurn()
        }
        return await route(decoded, origin: origin, line: line)
    }

    private func takeTurn() async {
        guard turnTaken else {
            turnTaken = true
            return
        }
        await withCheckedContinuation { turnWaiters.append($0) }
    }

    /// Hands the turn to the longest waiter, or frees it.
    private func passTurn() {
        guard turnHead < turnWaiters.count else {
            turnTaken = false
            turnWaiters.removeAll(keepingCapacity: true)
            turnHead = 0
            return
        }
        let next = turnWaiters[turnHead]
        turnHead += 1
        if turnHead >= 64 && turnHead * 2 >= turnWaiters.count {
            // Under sustained load the queue never empties: drop the served prefix so it stays bounded.
            turnWaiters.removeFirst(turnHead)
            turnHead = 0
        }
        next.resume()
    }

    private func route(_ decoded: DecodedEvent, origin: InputOrigin, line: Int?) async -> PipelineResult {
        processed += 1
        var context = EventContext(sequence: processed, line: line)
        if case .event(_, .kubernetes(let uid, let count, _, _)) = decoded {
            context.uid = uid
            context.count = count
        }
        var result: PipelineResult
        if case .event(let event, _) = decoded, let labels, pipeline.snapshot.table.selectsByLabels(event.involvedObject) {
            // matchLabels: read the involved object's labels before routing (cached, bounded). A newer
            // snapshot may arrive meanwhile; the event is routed with it.
            let fetched = await labels.labels(of: event.involvedObject)
            let snapshot = pipeline.snapshot
            pipeline.snapshot = RoutingSnapshot(
                replacingLabelsOf: snapshot, with: FetchedLabels(object: event.involvedObject, labels: fetched))
            result = pipeline.process(decoded, now: Self.now())
            pipeline.snapshot = snapshot
        } else {
            result = pipeline.process(decoded, now: Self.now())
        }
        context.snapshot = result.snapshotNumber
        observer.observe(result, origin: origin, context: context)
        for var job in result.jobs {
            jobsEnqueued += 1
            job.sequence = jobsEnqueued
            await dispatcher.enqueue(job)
        }
        return result
    }

    /// Arrival time for the rate limiter: monotonic nanoseconds since the process started.
    static func now() -> Int64 { processStart.duration(to: .now).nanoseconds }

    private static let processStart = ContinuousClock.now
}

extension RoutingSnapshot {
    /// The same Alerts, Providers and clients with another label source.
    init(replacingLabelsOf snapshot: RoutingSnapshot, with labels: any LabelLookup) {
        self.init(table: snapshot.table, clients: snapshot.clients, labels: labels, number: snapshot.number)
    }
}
