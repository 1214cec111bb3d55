import HeraldCore
import HeraldJSON
import HeraldKube
import Logging

/// Reads involved objects' labels for `matchLabels`, with a short-lived, bounded cache.
///
/// A metadata-only GET (`PartialObjectMetadata`) keeps the transfer small; the resource name of a kind
/// comes from API discovery, cached per group version.
public actor ClusterLabels {
    private let client: KubeClient
    private let logger: Logger
    private let ttl: Duration
    private let capacity: Int
    private var cache: [String: (labels: [String: String]?, fetched: ContinuousClock.Instant)] = [:]
    private var resources: [String: [String: String]] = [:]  // "group/version" → kind → plural

    /// Labels are cached for `ttl`, at most `capacity` objects, so a burst of events about one object
    /// reads its labels once.
    public init(client: KubeClient, logger: Logger, ttl: Duration = .seconds(30), capacity: Int = 1024) {
        self.client = client
        self.logger = logger
        self.ttl = ttl
        self.capacity = capacity
    }

    /// The object's labels, or `nil` when it cannot be read (then `matchLabels` does not match).
    public func labels(of object: ObjectReference) async -> [String: String]? {
        let key = "\(object.apiVersion)/\(object.kind)/\(object.namespace)/\(object.name)"
        if let cached = cache[key], cached.fetched.duration(to: .now) < ttl { return cached.labels }
        let labels = await fetch(object)
        if cache.count >= capacity {
            // Drop the expired entries first; if none, drop everything (a burst of distinct objects).
            let now = ContinuousClock.now
            cache = cache.filter { $0.value.fetched.duration(to: now) < ttl }
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
        }
        cache[key] = (labels, .now)
        return labels
    }

    private func fetch(_ object: ObjectReference) async -> [String: String]? {
        let parts = object.apiVersion.split(separator: "/").map(String.init)
        let (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts.first ?? "v1")
        guard let plural = await resource(group: group, version: version, kind: object.kind) else {
            logger.error("error getting source object \(object.displayName): kind not served by the API server")
            return nil
        }
        let path = ResourcePath(group: group, version: version, resource: plural, namespace: object.namespace, name: object.name)
        do {
            let value = try await client.get(path, metadataOnly: true)
            var labels: [String: String] = [:]
            for (key, value) in value["metadata"]?["labels"]?.objectValue ?? JSONObject() {
                if let text = value.stringValue { labels[key] = text }
            }
            return labels
        } catch {
            logger.error("error getting source object \(object.displayName): \(error)")
            return nil
        }
    }

    private func resource(group: String, version: String, kind: String) async -> String? {
        let groupVersion = group.isEmpty ? version : "\(group)/\(version)"
        if let known = resources[groupVersion] { return known[kind] }
        guard let list = try? await client.discoveryResources(group: group, version: version) else { return nil }
        resources[groupVersion] = list
        return list[kind]
    }
}
