import HeraldCore
import HeraldJSON
import HeraldKube
import Logging
import Synchronization

/// The single watch on Kubernetes Events: turns new occurrences into pipeline input.
///
/// What is delivered: ADDED and MODIFIED Events whose occurrence is new (``OccurrenceTracker``); on the
/// first list, only Events no older than the start time minus the startup grace; on a relist, only
/// occurrences not seen before. No Event object is kept: memory is the tracker's bound.
///
/// List items and watch objects are decoded as Events of ``api``, the API of the watched resource, never
/// by their `kind`: a real API server leaves `kind` and `apiVersion` out of list items.
public actor ClusterEventSource: ReflectorConsumer {
    /// The API of the watched Event resource.
    public nonisolated let api: KubernetesEventAPI
    private var tracker: OccurrenceTracker
    private let processor: EventProcessor
    private let filter: EventFilter
    private let logger: Logger
    private let startCutoff: Int64
    private let observer: (any PipelineObserver)?
    /// Where the previous run stopped, when known: replaces the startup grace.
    private let resumeFrom: DeliveryWatermark?
    /// How far this run got; saved to the Lease by the watermark service.
    public private(set) var watermark: DeliveryWatermark
    private var initialListDone = false
    private var invalid = 0
    /// Undecodable Event versions (`uid@resourceVersion`) already reported, so a relist that reads the same
    /// object again neither counts nor logs it twice.
    private var reportedInvalid = LRUMemory<String, Bool>(capacity: 1_024)

    /// `startTime` minus `startupGrace` is the oldest Event delivered on the first list, unless
    /// `resumeFrom` (the watermark the previous run saved) says where to resume.
    public init(
        api: KubernetesEventAPI = .coreV1, processor: EventProcessor, filter: EventFilter, startTime: FluxTimestamp,
        startupGrace: Duration, trackerCapacity: Int, logger: Logger, observer: (any PipelineObserver)? = nil,
        resumeFrom: DeliveryWatermark? = nil
    ) {
        self.api = api
        self.resumeFrom = resumeFrom
        self.watermark = resumeFrom ?? DeliveryWatermark()
        self.processor = processor
        self.observer = observer
        self.filter = filter
        self.logger = logger
        self.tracker = OccurrenceTracker(capacity: trackerCapacity)
        self.startCutoff = startTime.secondsSinceEpoch - startupGrace.components.seconds
    }

    /// Malformed Events seen (counted, logged and dropped once per object version).
    public var invalidEvents: Int { invalid }
    public var trackerEvictions: Int { tracker.evictions }

    public func listStarted(reason: ListReason) async {
        logger.debug("listing Events", metadata: ["reason": "\(reason)"])
    }

    public func listPage(_ items: [JSONValue]) async {
        for item in items { await consider(item, watchType: nil) }
    }

    public func listFinished(resourceVersion: String) async {
        initialListDone = true
        logger.debug("Events listed", metadata: ["resourceVersion": "\(resourceVersion)", "tracked": "\(tracker.count)"])
        // The pages of a large list are garbage now; without this the arena would keep them.
        MemoryFootprint.returnFreedMemory()
    }

    public func watchEvent(type: WatchEventType, object: JSONValue) async {
        switch type {
        case .added, .modified:
            await consider(object, watchType: type)
        case .deleted:
            if let uid = object["metadata"]?["uid"]?.stringValue { tracker.forget(uid: uid) }
        case .bookmark, .error:
            break
        }
    }

    private func consider(_ object: JSONValue, watchType: WatchEventType?) async {
        let decoded: DecodedEvent
        do {
            decoded = try EventDecoder.decodeKubernetesEvent(object, api: api, watchType: watchType, filter: filter)
        } catch {
            reportInvalid(object, error)
            return
        }
        guard case .event(let event, let origin) = decoded, case .kubernetes(let uid, let count, _, _) = origin else {
            await processor.process(decoded)
            return
        }
        let timestamp = event.timestamp?.secondsSinceEpoch ?? 0
        let isNew = uid.isEmpty ? true : tracker.observe(uid: uid, count: count, timestamp: timestamp)
        guard isNew else { return }
        let identity = DeliveryWatermark.identity(uid: uid, count: count)
        defer { watermark.advance(time: timestamp, identity: identity) }
        if let resumeFrom {
            // A previous run left a watermark: deliver exactly what it had not handled.
            guard !resumeFrom.covers(time: timestamp, identity: identity) else {
                logger.trace("Event handled before the restart; not delivered again", metadata: ["event": "\(uid)"])
                return
            }
        } else if timestamp < startCutoff {
            logger.trace("Event older than the startup grace; not delivered", metadata: ["event": "\(uid)"])
            return
        }
        await processor.process(decoded)
    }

    /// Counts and logs an Event that cannot be decoded, once per object version; the items after it go on.
    private func reportInvalid(_ object: JSONValue, _ error: EventDecodingError) {
        let metadata = object["metadata"]
        let namespace = metadata?["namespace"]?.stringValue ?? ""
        let name = metadata?["name"]?.stringValue ?? "?"
        let uid = metadata?["uid"]?.stringValue ?? ""
        let version = metadata?["resourceVersion"]?.stringValue ?? ""
        if !uid.isEmpty {
            let key = "\(uid)@\(version)"
            guard reportedInvalid.isFirstSighting(of: key, remembering: true) else { return }
        }
        invalid += 1
        observer?.observeInvalidInput(origin: .watch)
        logger.error(
            "malformed Event dropped",
            metadata: [
                "event": "\(namespace.isEmpty ? name : namespace + "/" + name)", "uid": "\(uid)", "api": "\(api)",
                "error": "\(error)",
            ])
    }
}
