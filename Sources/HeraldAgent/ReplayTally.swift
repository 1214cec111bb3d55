import HeraldCore
import Synchronization

/// What a replay did; `exitCode` is the process status the command line returns.
public struct ReplaySummary: Sendable, Hashable {
    public var lines = 0
    public var invalidLines = 0
    public var events = 0
    public var ignored = 0
    public var rateLimited = 0
    public var unmatched = 0
    public var notifications = 0
    public var delivered = 0
    public var duplicates = 0
    public var skipped = 0
    public var failed = 0
    public var rateLimiterEvictions = 0

    /// 0 when everything was delivered (or rendered); 1 when a delivery failed or a line was invalid.
    public var exitCode: Int32 { invalidLines > 0 || failed > 0 ? 1 : 0 }
}

/// Counts a replay's decisions and outcomes as they are observed, for its summary and exit status.
final class ReplayTally: PipelineObserver {
    private let summary = Mutex(ReplaySummary())

    var current: ReplaySummary { summary.withLock { $0 } }

    func lineRead() { summary.withLock { $0.lines += 1 } }

    func observeInvalidInput(origin: InputOrigin) { summary.withLock { $0.invalidLines += 1 } }

    func observe(_ result: PipelineResult, origin: InputOrigin, context: EventContext) {
        summary.withLock { summary in
            switch result.disposition {
            case .ignored: summary.ignored += 1
            case .rateLimited: summary.events += 1; summary.rateLimited += 1
            case .noMatch: summary.events += 1; summary.unmatched += 1
            case .routed: summary.events += 1
            }
            summary.notifications += result.jobs.count + result.failures.count
            summary.failed += result.failures.count
        }
    }

    func observe(_ outcome: DeliveryOutcome, job: DeliveryJob) {
        summary.withLock { summary in
            switch outcome {
            case .delivered: summary.delivered += 1
            case .duplicate: summary.duplicates += 1
            case .skipped: summary.skipped += 1
            case .failed: summary.failed += 1
            }
        }
    }
}
