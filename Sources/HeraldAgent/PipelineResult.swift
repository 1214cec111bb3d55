import HeraldCore
import HeraldNotifiers

/// A notification that cannot be sent, attributed to its Alert (and Provider when known).
public struct NotificationFailure: Sendable, Hashable, CustomStringConvertible {
    public var alert: ObjectKey
    public var provider: ObjectKey?
    public var message: String
    /// The Provider's type when it is known, for metrics.
    public var providerType: String?
    /// The `--no-cross-namespace-refs` guard refused the event for this Alert.
    public var isCrossNamespace = false

    public var description: String {
        "Alert \(alert)" + (provider.map { ", Provider \($0)" } ?? "") + ": \(message)"
    }
}

/// What the pipeline decided for one input.
public struct PipelineResult: Sendable {
    public enum Disposition: Sendable, Hashable {
        case ignored(EventIgnoreReason)
        case rateLimited
        case noMatch
        case routed
    }

    public var disposition: Disposition
    public var event: Event?
    /// The ``RoutingSnapshot/number`` the event was routed with.
    public var snapshotNumber = 0
    /// End of the rate-limit window the event fell in (same clock as `now`), when it reached the limiter.
    public var rateLimitWindowEnd: Int64?
    /// Rendered notifications, in Alert order (`namespace/name`).
    public var jobs: [DeliveryJob] = []
    public var failures: [NotificationFailure] = []
    public var skips: [(alert: ObjectKey, reason: String)] = []
    public var warnings: [RouteWarning] = []
    public var conflicts: [(alert: ObjectKey, conflicts: [MetadataConflict])] = []
}
