/// Which core/v1 Events are not Flux notifications, although they look like them on the Event stream.
///
/// Flux records `trace` events as `Normal` Kubernetes Events; notification-controller never sees them
/// (they are not POSTed), so Herald drops them by reason. The list is a heuristic (reference §1.5): users
/// extend or replace it with `--trace-reason`.
public struct EventFilter: Sendable, Hashable {
    public var traceRules: [TraceRule]
    /// `source.component`/`reportingComponent` values whose Events are never notifications.
    public var ignoredComponents: Set<String>

    /// The defaults are Flux's: its trace reasons and the components whose Events are not notifications.
    public init(
        traceRules: [TraceRule] = EventFilter.defaultTraceRules, ignoredComponents: Set<String> = EventFilter.defaultIgnoredComponents
    ) {
        self.traceRules = traceRules
        self.ignoredComponents = ignoredComponents
    }

    /// The trace reasons observed in the Flux controllers (reference §1.5).
    public static let defaultTraceRules: [TraceRule] = [
        TraceRule(reason: "ArtifactUpToDate"),
        TraceRule(reason: "GarbageCollectionSucceeded"),
        TraceRule(reason: "SymlinkUpdateFailed"),
        TraceRule(reason: "CacheOperationFailed"),
        TraceRule(reason: "NoSourceArtifact"),
        TraceRule(reason: "ResolvedDependencies"),
        TraceRule(reason: "Succeeded", messagePrefix: "verified signature of"),
        TraceRule(reason: "HelmChartSyncErr"),
        TraceRule(reason: "HelmChartCreated"),
        TraceRule(reason: "HelmChartConfigured"),
        TraceRule(reason: "HelmChartDeleted"),
    ]

    /// notification-controller's own Events (on Alerts and Receivers) and Herald's.
    public static let defaultIgnoredComponents: Set<String> = ["notification-controller", "herald"]

    /// The rule that marks a `Normal` Event with this reason and message as a trace event, if any.
    public func traceRule(reason: String, message: String) -> TraceRule? {
        traceRules.first { $0.reason == reason && ($0.messagePrefix.map { message.hasPrefix($0) } ?? true) }
    }
}

/// One entry of the trace deny-list: a reason, optionally narrowed to messages with a prefix.
public struct TraceRule: Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public var messagePrefix: String?

    public init(reason: String, messagePrefix: String? = nil) {
        self.reason = reason
        self.messagePrefix = messagePrefix
    }

    /// Parses `Reason` or `Reason:message prefix`, the form of the `--trace-reason` flag.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let reason = String(parts[0]).trimmingWhitespace
        guard !reason.isEmpty else { return nil }
        self.reason = reason
        self.messagePrefix = parts.count > 1 ? String(parts[1]).trimmingWhitespace : nil
    }

    public var description: String { messagePrefix.map { "\(reason):\($0)" } ?? reason }
}

extension String {
    /// The string without leading and trailing white space (spaces, tabs, newlines), without Foundation.
    public var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
