import HeraldCore
import HeraldKube
import Logging
import ServiceLifecycle
import Synchronization

/// The Event watch and its watermark, run while this process leads (always, without leader election).
///
/// Each time leadership is gained, the watermark is read from the Lease (the previous leader advanced it)
/// and a fresh list delivers exactly what it does not cover. Losing leadership stops the watch and drops
/// queued notifications at once; the new leader redelivers from the watermark. On shutdown the watermark
/// is written once more after intake stopped.
final class EventIntake: EventInput {
    struct Context: Sendable {
        var client: KubeClient
        var configuration: ClusterConfiguration
        var dispatcher: Dispatcher
        var store: FluxObjectStore
        var lease: LeaseRoles
        var observer: any PipelineObserver
        var settings: Reflector.Settings
        var logger: Logger
        var clock: WallClock
    }

    private let context: Context
    private let current = Mutex<(reflector: Reflector?, source: ClusterEventSource?)>((nil, nil))

    init(_ context: Context) { self.context = context }

    /// The running Event reflector, for readiness and metrics.
    var reflector: Reflector? { current.withLock { $0.reflector } }

    /// Ready: a standby is ready once its object store is; a leader once its Event list completed.
    var isReady: Bool {
        guard context.store.hasPublished else { return false }
        if let elector = context.lease.elector, !elector.isLeader { return true }
        return reflector?.hasSynced ?? false
    }

    var origin: InputOrigin { .watch }

    /// Watches Events while this process leads, until cancelled.
    func feed(_ processor: EventProcessor) async {
        while !Task.isCancelled {
            if let elector = context.lease.elector {
                await elector.waitForLeadership()
                if Task.isCancelled { return }
            }
            let path = ResourcePath(group: "", version: "v1", resource: "events", namespace: context.configuration.watchNamespace)
            let source = ClusterEventSource(
                api: KubernetesEventAPI(apiVersion: path.apiVersion), processor: processor,
                filter: context.configuration.pipeline.eventFilter,
                startTime: context.clock.timestamp,
                startupGrace: context.configuration.startupGrace, trackerCapacity: context.configuration.occurrenceCapacity,
                logger: context.logger, observer: context.observer, resumeFrom: await loadWatermark())
            let reflector = Reflector(
                client: context.client, path: path, settings: context.settings, consumer: source, logger: context.logger)
            current.withLock { $0 = (reflector, source) }
            let context = self.context
            let lost = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    await reflector.run()
                    return false
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: context.configuration.watermarkInterval)
                        if Task.isCancelled { break }
                        await context.lease.watermarks?.save(await source.watermark)
                    }
                    return false
                }
                if let elector = context.lease.elector {
                    group.addTask {
                        await elector.waitForLoss()
                        return !Task.isCancelled
                    }
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            guard lost else { return }
            current.withLock { $0 = (nil, nil) }
            await context.dispatcher.dropQueued(reason: "not delivered: this process lost leadership")
            context.logger.warning("Event intake stopped: not the leader any more")
        }
    }

    /// Intake has stopped: the final watermark write, outside the cancelled task so the request can go out.
    func stopped() async {
        if let source = current.withLock({ $0.source }), context.lease.elector?.isLeader ?? true {
            await context.lease.watermarks?.save(await source.watermark)
        }
    }

    private func loadWatermark() async -> DeliveryWatermark? {
        guard let store = context.lease.watermarks else { return nil }
        do {
            let watermark = try await store.load()
            if let watermark {
                context.logger.info(
                    "resuming from the delivery watermark", metadata: ["time": "\(FluxTimestamp(secondsSinceEpoch: watermark.time))"])
            } else {
                context.logger.info("no delivery watermark yet; delivering Events within the startup grace")
            }
            return watermark
        } catch {
            context.logger.warning(
                "cannot read the delivery watermark; delivering Events within the startup grace", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
