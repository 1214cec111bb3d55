import HeraldCore
import HeraldNotifiers

/// The Alerts, Providers and ready-made provider clients in force, as one immutable snapshot.
public struct RoutingSnapshot: Sendable {
    public let table: RoutingTable
    /// Each Provider's client, or why it cannot be built (missing Secret, bad address, unsupported type…).
    public let clients: [ObjectKey: Result<ProviderClient, ProviderError>]
    public let labels: any LabelLookup
    /// Counts up from 1 with every snapshot the cluster's object store builds (0: the empty one at start,
    /// or a replay's only one); the processor never goes back to a lower number.
    public var number = 0

    /// Builds every Provider's client once per snapshot, so a delivery never re-validates its Provider;
    /// a Provider that cannot be built keeps its reason, reported when an Alert routes to it.
    public init(alerts: [Alert], providers: [Provider], secrets: [ObjectKey: Secret], labels: any LabelLookup) {
        table = RoutingTable(alerts: alerts, providers: providers)
        var clients: [ObjectKey: Result<ProviderClient, ProviderError>] = [:]
        for provider in providers {
            let namespace = provider.key.namespace
            clients[provider.key] = Result { () throws(ProviderError) -> ProviderClient in
                try NotifierFactory.make(provider: provider) { name in secrets[ObjectKey(namespace: namespace, name: name)] }
            }
        }
        self.clients = clients
        self.labels = labels
    }

    init(table: RoutingTable, clients: [ObjectKey: Result<ProviderClient, ProviderError>], labels: any LabelLookup, number: Int) {
        self.table = table
        self.clients = clients
        self.labels = labels
        self.number = number
    }

    /// Alert warnings known at load time: regexes that do not compile.
    public var loadWarnings: [RouteWarning] {
        table.alerts.flatMap { compiled in compiled.warnings.map { RouteWarning(alert: compiled.key, message: $0) } }
    }
}
