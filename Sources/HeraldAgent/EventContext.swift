import HeraldCore
import Logging

/// What the processor knows of one event besides its result, for the decision log: its place in the
/// arrival order, the snapshot that routed it, its replay line, its Kubernetes identity.
///
/// Typed rather than log metadata because most events write no log line at the default level: the
/// metadata dictionary is built only when a line is written.
public struct EventContext: Sendable, Hashable {
    /// 1 for the first event the processor handled, counting up.
    public var sequence: Int
    /// The ``RoutingSnapshot/number`` the event was routed with.
    public var snapshot: Int
    /// The line of the replayed file or standard input.
    public var line: Int?
    /// A Kubernetes Event's uid and occurrence count.
    public var uid: String?
    public var count: Int?

    public init(sequence: Int = 0, snapshot: Int = 0, line: Int? = nil, uid: String? = nil, count: Int? = nil) {
        self.sequence = sequence
        self.snapshot = snapshot
        self.line = line
        self.uid = uid
        self.count = count
    }

    /// The log metadata: `sequence`, `snapshot`, and `line`, `event.uid`, `event.count` when known.
    public var metadata: Logger.Metadata {
        var metadata: Logger.Metadata = ["sequence": .stringConvertible(sequence), "snapshot": .stringConvertible(snapshot)]
        if let line { metadata["line"] = .stringConvertible(line) }
        if let uid { metadata["event.uid"] = .string(uid) }
        if let count { metadata["event.count"] = .stringConvertible(count) }
        return metadata
    }
}
