/// The identity of a Flux object as read: where it lives and which revision of it this is.
public struct ObjectMeta: Sendable, Hashable {
    public var key: ObjectKey
    public var uid: String
    public var generation: Int
    public var resourceVersion: String
    public var labels: [String: String]

    public init(key: ObjectKey, uid: String = "", generation: Int = 0, resourceVersion: String = "", labels: [String: String] = [:]) {
        self.key = key
        self.uid = uid
        self.generation = generation
        self.resourceVersion = resourceVersion
        self.labels = labels
    }
}

/// One entry of `spec.eventSources`: which involved objects an Alert listens to.
public struct EventSource: Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    /// An exact name, or `*` for every name.
    public var name: String
    /// Empty means the Alert's own namespace.
    public var namespace: String
    /// `nil` matches without looking at labels; an empty map selects every object.
    public var matchLabels: [String: String]?

    public init(apiVersion: String = "", kind: String, name: String, namespace: String = "", matchLabels: [String: String]? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.matchLabels = matchLabels
    }

    /// The namespace the source selects in: its own, or the Alert's when it names none (Flux's rule).
    public func namespace(inAlertOf alertNamespace: String) -> String {
        namespace.isEmpty ? alertNamespace : namespace
    }
}

/// A Flux `Alert`, from any API version: which events go to which Provider.
public struct Alert: Sendable, Hashable {
    public var meta: ObjectMeta
    public var apiVersion: FluxAPIVersion
    public var providerName: String
    /// `info` (every severity) or `error`.
    public var eventSeverity: String
    public var eventSources: [EventSource]
    public var inclusionList: [String]
    public var exclusionList: [String]
    public var eventMetadata: [String: String]
    public var summary: String
    public var suspend: Bool

    public init(
        meta: ObjectMeta, apiVersion: FluxAPIVersion = .v1beta3, providerName: String, eventSeverity: String = Event.severityInfo,
        eventSources: [EventSource], inclusionList: [String] = [], exclusionList: [String] = [],
        eventMetadata: [String: String] = [:], summary: String = "", suspend: Bool = false
    ) {
        self.meta = meta
        self.apiVersion = apiVersion
        self.providerName = providerName
        self.eventSeverity = eventSeverity
        self.eventSources = eventSources
        self.inclusionList = inclusionList
        self.exclusionList = exclusionList
        self.eventMetadata = eventMetadata
        self.summary = summary
        self.suspend = suspend
    }

    public var key: ObjectKey { meta.key }
    /// The Provider this Alert sends to, always in the Alert's namespace.
    public var providerKey: ObjectKey { ObjectKey(namespace: meta.key.namespace, name: providerName) }
}
