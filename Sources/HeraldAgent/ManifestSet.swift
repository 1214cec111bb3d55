import Crypto
import HeraldCore
import HeraldJSON
import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where a manifest object came from: file, document (1-based) and, inside a `List`, item index.
public struct ManifestLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var document: Int
    public var item: Int?

    public var description: String {
        "\(file): document \(document)" + (item.map { ", item \($0)" } ?? "")
    }
}

/// Why the manifests cannot be used; replay exits with status 2 and sends nothing.
public struct ManifestLoadError: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: ManifestLocation?
    public var file: String
    public var reason: String

    public var description: String { "\(location?.description ?? file): \(reason)" }
}

/// The Alerts, Providers, Secrets and labelled objects read from `--manifests`.
public struct ManifestSet: Sendable {
    public var alerts: [Alert] = []
    public var providers: [Provider] = []
    public var secrets: [ObjectKey: Secret] = [:]
    public var labels = LabelIndex()
    /// Notes for the user that do not stop the replay (an Alert whose Provider is absent, …).
    public var warnings: [String] = []

    public init() {}

    /// Reads files and directories (recursively: `*.yaml`, `*.yml`, `*.json`), multi-document YAML and `kind: List`.
    public static func load(paths: [String]) throws(ManifestLoadError) -> ManifestSet {
        var set = ManifestSet()
        var seen: [String: ManifestLocation] = [:]
        for path in paths {
            for file in try files(at: path) {
                try set.read(file: file, seen: &seen)
            }
        }
        let providerKeys = Set(set.providers.map(\.key))
        for alert in set.alerts where !providerKeys.contains(alert.providerKey) {
            set.warnings.append("Alert \(alert.key) refers to Provider \(alert.providerKey), which is not in the manifests")
        }
        return set
    }

    static func files(at path: String) throws(ManifestLoadError) -> [String] {
        switch FileTree.kind(of: path) {
        case .missing:
            throw ManifestLoadError(location: nil, file: path, reason: "no such file or directory")
        case .file:
            return [path]
        case .directory:
            guard let all = FileTree.files(under: path) else {
                throw ManifestLoadError(location: nil, file: path, reason: "cannot list directory")
            }
            return all.filter { file in
                let lower = file.lowercased()
                return lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || lower.hasSuffix(".json")
            }
        }
    }

    mutating func read(file: String, seen: inout [String: ManifestLocation]) throws(ManifestLoadError) {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ManifestLoadError(location: nil, file: file, reason: "cannot read file")
        }
        let text = String(decoding: data, as: UTF8.self)
        let documents: [JSONValue]
        do {
            documents = try YAMLDocuments.parse(text)
        } catch {
            throw ManifestLoadError(location: nil, file: file, reason: error.description)
        }
        for (index, document) in documents.enumerated() {
            if document.isNull { continue }
            let location = ManifestLocation(file: file, document: index + 1, item: nil)
            if document["kind"]?.stringValue == "List"
                || (document["kind"]?.stringValue?.hasSuffix("List") == true && document["items"] != nil)
            {
                guard case .array(let items) = document["items"] ?? .array([]) else {
                    throw ManifestLoadError(location: location, file: file, reason: "items: expected a list")
                }
                for (itemIndex, item) in items.enumerated() {
                    try add(item, location: ManifestLocation(file: file, document: index + 1, item: itemIndex), seen: &seen)
                }
            } else {
                try add(document, location: location, seen: &seen)
            }
        }
    }

    mutating func add(_ value: JSONValue, location: ManifestLocation, seen: inout [String: ManifestLocation]) throws(ManifestLoadError) {
        let object: FluxObject
        do {
            object = try ManifestDecoder.decode(value)
        } catch {
            throw ManifestLoadError(location: location, file: location.file, reason: error.description)
        }
        let identity: String
        switch object {
        case .alert(let alert):
            identity = "Alert \(alert.key)"
            alerts.append(alert)
        case .provider(var provider):
            identity = "Provider \(provider.key)"
            if provider.meta.uid.isEmpty { provider.meta.uid = Self.replayUID(for: provider.key) }
            providers.append(provider)
        case .secret(let secret):
            identity = "Secret \(secret.key)"
            secrets[secret.key] = secret
        case .other(let labeled):
            identity = "\(labeled.group)/\(labeled.kind) \(labeled.key)"
            labels.add(labeled)
        }
        if let first = seen[identity] {
            throw ManifestLoadError(location: location, file: location.file, reason: "\(identity) is defined twice (first at \(first))")
        }
        seen[identity] = location
    }

    /// The uid replay gives a Provider manifest without one: a UUID derived from `namespace/name`, so
    /// commit-status ids are stable across replays. A cluster assigns a random uid instead.
    public static func replayUID(for key: ObjectKey) -> String {
        let digest = Array(SHA256.hash(data: Array("herald-replay:\(key)".utf8)))
        let hex = digest.prefix(16).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }
}

/// Labels of the objects found in the manifests, for Alerts with `matchLabels`.
public struct LabelIndex: LabelLookup {
    private struct Key: Hashable {
        var group: String
        var kind: String
        var object: ObjectKey
    }

    private var labels: [Key: [String: String]] = [:]

    public init() {}

    mutating func add(_ object: LabeledObject) {
        labels[Key(group: object.group, kind: object.kind, object: object.key)] = object.labels
    }

    /// Matched on API group and kind, not version: every served version is the same object.
    public func labels(group: String, kind: String, key: ObjectKey) -> [String: String]? {
        labels[Key(group: group, kind: kind, object: key)]
    }
}

extension ManifestSet {
    /// Loads the manifests into a routing snapshot, logging what cannot be used (bad regexes, Providers
    /// that cannot be built); any problem reading them is a ``ManifestLoadError``.
    public static func loadSnapshot(paths: [String], logger: Logger) throws(ManifestLoadError) -> RoutingSnapshot {
        let manifests = try ManifestSet.load(paths: paths)
        for warning in manifests.warnings { logger.warning("\(warning)") }
        let snapshot = RoutingSnapshot(
            alerts: manifests.alerts, providers: manifests.providers, secrets: manifests.secrets, labels: manifests.labels)
        for warning in snapshot.loadWarnings { logger.warning("\(warning)") }
        for (key, client) in snapshot.clients.sorted(by: { $0.key < $1.key }) {
            if case .failure(let error) = client {
                logger.warning("Provider \(key) cannot be used; its notifications will fail: \(error)")
            }
        }
        logger.debug(
            "manifests loaded",
            metadata: [
                "alerts": "\(manifests.alerts.count)", "providers": "\(manifests.providers.count)", "secrets": "\(manifests.secrets.count)",
            ])
        return snapshot
    }
}
