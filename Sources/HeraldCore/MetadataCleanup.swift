/// The metadata rules notification-controller applies on ingestion (reference §3.1, §3.5).
public enum MetadataCleanup {
    public static let eventGroupPrefix = "event.toolkit.fluxcd.io/"

    /// Keeps keys prefixed with `event.toolkit.fluxcd.io/` or the involved object's group, minus
    /// `<group>/checksum` and `<group>/digest` (compared case-insensitively).
    public static func clean(_ event: Event) -> Event {
        var event = event
        let groupPrefix = event.involvedObject.group + "/"
        let dropped = [groupPrefix + "checksum", groupPrefix + "digest"].map { $0.lowercased() }
        event.metadata = event.metadata.filter { key, _ in
            guard key.hasPrefix(eventGroupPrefix) || key.hasPrefix(groupPrefix) else { return false }
            return !dropped.contains(key.lowercased())
        }
        return event
    }

    /// Removes `<group>/token`, which exists only for rate limiting.
    public static func excludeInternal(_ event: Event) -> Event {
        var event = event
        event.metadata.removeValue(forKey: event.involvedObject.group + "/token")
        return event
    }
}
