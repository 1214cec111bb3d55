/// A metadata key that received values from more than one source (Flux RFC 0008).
public struct MetadataConflict: Sendable, Hashable {
    public var key: String
    /// Source names in order of application, e.g. `["involved object annotations", "Alert object .spec.summary"]`.
    public var sources: [String]
}

/// Merges event metadata with the Alert's, in RFC 0008 precedence (reference §3.4).
public enum MetadataCombiner {
    public static let annotationsSource = "involved object annotations"
    public static let eventMetadataSource = "Alert object .spec.eventMetadata"
    public static let summarySource = "Alert object .spec.summary"
    public static let controllerSource = "involved object controller metadata"

    /// Flux's log and event message when a key is written twice.
    public static let conflictMessage =
        "warning: metadata key conflicts detected (please refer to the Alert API docs and Flux RFC 0008 for more information)"

    /// The event with un-prefixed, combined metadata, and the conflicts sorted by key.
    /// `clusterName`, when set, is the lowest-precedence value of `cluster`: what Flux users write into every
    /// Alert's `eventMetadata` by hand, and what an Alert or the event may still override.
    public static func combine(_ event: Event, alert: Alert, clusterName: String = "") -> (Event, [MetadataConflict]) {
        var combined: [String: String] = [:]
        var sources: [String: [String]] = [:]
        func write(_ key: String, _ value: String, _ source: String) {
            combined[key] = value
            sources[key, default: []].append(source)
        }
        let groupPrefix = event.involvedObject.group + "/"
        for (key, value) in event.metadata.sorted(by: { $0.key < $1.key }) where key.hasPrefix(MetadataCleanup.eventGroupPrefix) {
            write(String(key.dropFirst(MetadataCleanup.eventGroupPrefix.count)), value, annotationsSource)
        }
        for (key, value) in alert.eventMetadata.sorted(by: { $0.key < $1.key }) { write(key, value, eventMetadataSource) }
        if !alert.summary.isEmpty { write("summary", alert.summary, summarySource) }
        for (key, value) in event.metadata.sorted(by: { $0.key < $1.key }) where key.hasPrefix(groupPrefix) {
            // A key in both prefix families (an object in the event.toolkit group) counts once, as the later source.
            if groupPrefix == MetadataCleanup.eventGroupPrefix { continue }
            write(String(key.dropFirst(groupPrefix.count)), value, controllerSource)
        }
        if !clusterName.isEmpty && combined["cluster"] == nil { combined["cluster"] = clusterName }
        var result = event
        if !combined.isEmpty { result.metadata = combined }
        let conflicts = sources.filter { $0.value.count > 1 }.map { MetadataConflict(key: $0.key, sources: $0.value) }
            .sorted { $0.key < $1.key }
        return (result, conflicts)
    }
}
