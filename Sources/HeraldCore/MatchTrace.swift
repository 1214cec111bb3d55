/// Why one event source of an Alert did or did not select the event's involved object.
public enum SourceVerdict: Sendable, Hashable {
    case matched
    case otherNamespace(wanted: String)
    case otherKind
    /// The Alert's `eventSeverity` is `error`, the event's is not.
    case severity(wanted: String)
    case otherName
    /// `matchLabels` needs the object's labels, which could not be read.
    case labelsUnknown
    case labelsDiffer
}

/// What a pattern did to an event's message.
public enum PatternResult: String, Sendable, Hashable {
    case matched, notMatched, invalid
}

/// One step of the Alert filter, recorded by ``AlertMatcher/explain(_:event:labels:)``.
public enum MatchStep: Sendable, Hashable {
    case suspended(Bool)
    case source(index: Int, EventSource, SourceVerdict)
    case inclusion(pattern: String, PatternResult)
    case exclusion(pattern: String, PatternResult)
}

/// Receives each step the matcher takes; the production path uses ``NoMatchTrace``, which costs nothing.
public protocol MatchTracing {
    mutating func record(_ step: @autoclosure () -> MatchStep)
}

/// Records nothing.
public struct NoMatchTrace: MatchTracing {
    public init() {}
    @inline(__always) public mutating func record(_ step: @autoclosure () -> MatchStep) {}
}

/// Keeps every step, for `herald explain`.
public struct MatchTrace: MatchTracing {
    public private(set) var steps: [MatchStep] = []
    public init() {}
    public mutating func record(_ step: @autoclosure () -> MatchStep) { steps.append(step()) }
}
