import HeraldCore
import Logging

/// The log lines Herald writes about events and deliveries, shared by replay and cluster mode.
///
/// Metadata keys follow STYLE.md (`alert`, `provider`, `event.kind`, `event.name`); no value ever comes
/// from a Secret, and provider addresses never appear (failures carry already-masked texts).
public struct DecisionLog: PipelineObserver {
    public let logger: Logger
    /// Deliveries are rendered, not sent (`herald replay --dry-run`): say so instead of "delivered".
    public let dryRun: Bool
    /// Events already warned about for naming another namespace's object: one line per Event, not per repeat.
    private let foreignEvents = OncePerKey<ObjectKey>(capacity: 1024)

    public init(logger: Logger, dryRun: Bool = false) {
        self.logger = logger
        self.dryRun = dryRun
    }

    /// One line per pipeline decision (debug), per warning, conflict and failure (error).
    public func observe(_ result: PipelineResult, origin: InputOrigin, context: EventContext) {
        if case .ignored(let reason) = result.disposition, case .foreignNamespace(let event, _) = reason, foreignEvents.isFirst(event) {
            logger.warning("Event dropped: \(reason)", metadata: context.metadata)
        }
        // Most events log only at debug: skip building their metadata when nothing would be written.
        guard logger.logLevel <= .debug || !result.warnings.isEmpty || !result.conflicts.isEmpty || !result.failures.isEmpty else {
            return
        }
        var metadata = context.metadata
        if let event = result.event {
            metadata["event.kind"] = "\(event.involvedObject.kind)"
            metadata["event.namespace"] = "\(event.involvedObject.namespace)"
            metadata["event.name"] = "\(event.involvedObject.name)"
            metadata["event.reason"] = "\(event.reason)"
        }
        switch result.disposition {
        case .ignored(let reason): logger.debug("event ignored: \(reason)", metadata: metadata)
        case .rateLimited: logger.debug("discarding event, rate limiting duplicate events", metadata: metadata)
        case .noMatch: logger.debug("discarding event, no alerts found for the involved object", metadata: metadata)
        case .routed: logger.debug("dispatching event", metadata: metadata.merging(["notifications": "\(result.jobs.count)"]) { $1 })
        }
        for warning in result.warnings { logger.warning("\(warning)", metadata: metadata) }
        for (alert, reason) in result.skips {
            logger.debug("notification skipped: \(reason)", metadata: metadata.merging(["alert": "\(alert)"]) { $1 })
        }
        for (alert, conflicts) in result.conflicts {
            let detail = conflicts.map { "\($0.key): \($0.sources.joined(separator: ", "))" }.joined(separator: "; ")
            logger.info(
                "\(MetadataCombiner.conflictMessage)", metadata: metadata.merging(["alert": "\(alert)", "conflicts": "\(detail)"]) { $1 })
        }
        for failure in result.failures {
            var failureMetadata = metadata
            failureMetadata["alert"] = "\(failure.alert)"
            if let provider = failure.provider { failureMetadata["provider"] = "\(provider)" }
            logger.error("failed to dispatch notification: \(failure.message)", metadata: failureMetadata)
        }
    }

    /// One line per delivery: debug when delivered or skipped, error with status and response excerpt when failed.
    public func observe(_ outcome: DeliveryOutcome, job: DeliveryJob) {
        switch outcome {
        case .failed: break
        // Every other outcome logs at debug: skip building its metadata when nothing would be written.
        case .delivered, .duplicate, .skipped: guard logger.logLevel <= .debug else { return }
        }
        let metadata: Logger.Metadata = [
            "alert": "\(job.alert)", "provider": "\(job.provider)", "provider.type": "\(job.client.provider.type)",
            "event.kind": "\(job.event.involvedObject.kind)",
            "event.name": "\(job.event.involvedObject.namespace)/\(job.event.involvedObject.name)",
        ]
        switch outcome {
        case .delivered where dryRun:
            logger.debug("notification rendered, not sent (dry run)", metadata: metadata)
        case .delivered(let status, let attempts):
            logger.debug("notification delivered", metadata: metadata.merging(["status": "\(status)", "attempts": "\(attempts)"]) { $1 })
        case .duplicate:
            logger.debug("commit status already set; not posted again", metadata: metadata)
        case .skipped(let reason):
            logger.debug("notification skipped: \(reason)", metadata: metadata)
        case .failed(let failure):
            var failureMetadata = metadata
            failureMetadata["status"] = "\(failure.status.map(String.init) ?? "none")"
            failureMetadata["attempts"] = "\(failure.attempts)"
            if let excerpt = failure.excerpt { failureMetadata["response"] = "\(excerpt)" }
            logger.error("failed to send notification: \(failure.message)", metadata: failureMetadata)
        }
    }
}
