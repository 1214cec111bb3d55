import HeraldCore
import HeraldJSON

/// How far event handling got: the newest Event time handled, and which occurrences of that second were.
///
/// Kubernetes Event times have second precision, so the time alone cannot tell two Events of the same
/// second apart; the identities (`uid/count`) of that second make the mark exact. Kept in the cluster (as
/// an annotation on Herald's Lease), never on disk.
public struct DeliveryWatermark: Sendable, Hashable {
    /// Seconds since the epoch of the newest handled Event.
    public private(set) var time: Int64
    /// Occurrences handled at `time`, bounded by ``maximumIdentities``.
    public private(set) var identities: Set<String>

    /// Bound on the identities kept for one second; a larger burst keeps the first ones and may repeat
    /// the rest of that one second after a crash.
    public static let maximumIdentities = 2_000
    public static let annotation = "herald.toolkit.fluxcd.io/watermark"

    public init(time: Int64 = .min, identities: Set<String> = []) {
        self.time = time
        self.identities = identities
    }

    /// One occurrence of an Event: its uid and occurrence count.
    public static func identity(uid: String, count: Int) -> String { "\(uid)/\(count)" }

    /// Whether the occurrence was already handled before the mark was taken.
    public func covers(time: Int64, identity: String) -> Bool {
        time < self.time || (time == self.time && identities.contains(identity))
    }

    /// Records one handled occurrence.
    public mutating func advance(time: Int64, identity: String) {
        if time > self.time {
            self.time = time
            identities = [identity]
        } else if time == self.time, identities.count < Self.maximumIdentities {
            identities.insert(identity)
        }
    }

    /// The annotation value: `{"time":"<RFC 3339>","ids":[…]}`.
    public var annotationValue: String {
        let stamp = time == .min ? JSONValue.null : .string(FluxTimestamp(secondsSinceEpoch: time).rfc3339)
        return JSONWriter.string(["time": stamp, "ids": .array(identities.sorted().map { .string($0) })])
    }

    /// Reads the mark a previous run saved on the Lease; nil when it is missing or unreadable.
    public init?(annotationValue: String) {
        guard let value = try? JSONParser.parse(annotationValue), let text = value["time"]?.stringValue,
            let stamp = FluxTimestamp(rfc3339: text)
        else { return nil }
        time = stamp.secondsSinceEpoch
        identities = Set((value["ids"]?.arrayValue ?? []).compactMap(\.stringValue))
    }
}
