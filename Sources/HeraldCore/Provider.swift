/// A Flux `Provider`, from any API version: where and how notifications are sent.
public struct Provider: Sendable, Hashable {
    public var meta: ObjectMeta
    public var apiVersion: FluxAPIVersion
    public var type: ProviderType
    public var channel: String
    public var username: String
    public var address: String
    /// `spec.timeout`; `nil` means the 15 s default.
    public var timeout: Duration?
    public var proxy: String
    public var secretRef: String?
    public var certSecretRef: String?
    public var proxySecretRef: String?
    public var serviceAccountName: String
    public var commitStatusExpr: String
    public var suspend: Bool

    /// The timeout when `spec.timeout` is absent (reference §2.3).
    public static let defaultTimeout: Duration = .seconds(15)

    public init(
        meta: ObjectMeta, apiVersion: FluxAPIVersion = .v1beta3, type: ProviderType, channel: String = "",
        username: String = "", address: String = "", timeout: Duration? = nil, proxy: String = "",
        secretRef: String? = nil, certSecretRef: String? = nil, proxySecretRef: String? = nil,
        serviceAccountName: String = "", commitStatusExpr: String = "", suspend: Bool = false
    ) {
        self.meta = meta
        self.apiVersion = apiVersion
        self.type = type
        self.channel = channel
        self.username = username
        self.address = address
        self.timeout = timeout
        self.proxy = proxy
        self.secretRef = secretRef
        self.certSecretRef = certSecretRef
        self.proxySecretRef = proxySecretRef
        self.serviceAccountName = serviceAccountName
        self.commitStatusExpr = commitStatusExpr
        self.suspend = suspend
    }

    public var key: ObjectKey { meta.key }
    public var effectiveTimeout: Duration { timeout ?? Provider.defaultTimeout }
    /// The Secrets this Provider names (`secretRef`, `certSecretRef`, `proxySecretRef`), in its namespace.
    public var secretKeys: [ObjectKey] {
        [secretRef, certSecretRef, proxySecretRef].compactMap { $0.map { ObjectKey(namespace: key.namespace, name: $0) } }
    }
}

/// A Kubernetes `Secret`'s values, decoded from `data` (base64) and `stringData` (which wins).
///
/// Deliberately not `CustomStringConvertible` beyond its key: printing a Secret must never print values.
public struct Secret: Sendable, Hashable, CustomStringConvertible {
    public var key: ObjectKey
    public var values: [String: String]

    public init(key: ObjectKey, values: [String: String]) {
        self.key = key
        self.values = values
    }

    /// The value of key `name`, decoded from base64 when read from `data`.
    public subscript(name: String) -> String? { values[name] }

    public var description: String { "Secret \(key) (\(values.count) keys)" }
}
