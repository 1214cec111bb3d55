/// What Herald will send for one (event, Alert) pair: the combined event and the Provider to send it to.
public struct Notification: Sendable, Hashable {
    public var alert: Alert
    public var provider: Provider
    /// The event after RFC 0008 metadata combination: un-prefixed keys, no token.
    public var event: Event
    public var conflicts: [MetadataConflict]
    /// The commit-status id from the Provider's `spec.commitStatusExpr`; `nil` means the default id.
    public var commitStatusID: String?
}
