import HeraldCore
import HeraldJSON
import HeraldKube
import Logging

/// `herald explain --event NAMESPACE/NAME`: one Event and everything routing it needs, read once from
/// the API server the way `herald run` reads them: the Event as an item of the Event resource (by the
/// resource's API, not its `kind`), Alerts and Providers of the served Flux version, the Secrets those
/// Providers name, and the involved object's labels when an Alert selects by `matchLabels`.
public struct ClusterExplainReader: Sendable {
    public let client: KubeClient
    /// Only Alerts and Providers of this namespace (`--watch-namespace`); nil reads every namespace.
    public let watchNamespace: String?
    public let logger: Logger

    /// Reads through `client`; `watchNamespace` as `herald run --watch-namespace`.
    public init(client: KubeClient, watchNamespace: String?, logger: Logger) {
        self.client = client
        self.watchNamespace = watchNamespace
        self.logger = logger
    }

    /// What was read: the decoded Event, the snapshot to route it with, and what was left out of the
    /// snapshot: invalid Alerts and Providers (as `herald run` leaves them out, with `Ready=False`) and
    /// Secrets that could not be read.
    public struct Reading: Sendable {
        public var event: DecodedEvent
        public var snapshot: RoutingSnapshot
        public var invalidObjects: [String]
    }

    /// Reads the Event `key` and what routing it needs; fails when the Event or the Flux API cannot be read.
    public func read(event key: ObjectKey, filter: EventFilter) async throws(ClusterReadError) -> Reading {
        let event = try await readEvent(key, filter: filter)
        let api: FluxServedAPI
        do {
            api = try await FluxServedAPI.discover(client: client)
        } catch {
            throw ClusterReadError("cannot discover the Flux notification API: \(error)")
        }
        var invalid: [String] = []
        let alerts: [Alert] = try await list("alerts", kind: .alert, api: api, invalid: &invalid).compactMap {
            if case .alert(let alert) = $0 { return alert }
            return nil
        }
        let providers: [Provider] = try await list("providers", kind: .provider, api: api, invalid: &invalid).compactMap {
            if case .provider(let provider) = $0 { return provider }
            return nil
        }
        let secrets = await readSecrets(of: providers, leftOut: &invalid)
        let snapshot = RoutingSnapshot(alerts: alerts, providers: providers, secrets: secrets, labels: NoLabels())
        return Reading(event: event, snapshot: await withInvolvedLabels(of: event, in: snapshot), invalidObjects: invalid)
    }

    private func readEvent(_ key: ObjectKey, filter: EventFilter) async throws(ClusterReadError) -> DecodedEvent {
        let path = ResourcePath(group: "", version: "v1", resource: "events", namespace: key.namespace, name: key.name)
        let object: JSONValue
        do {
            object = try await client.get(path)
        } catch  where error.isNotFound {
            throw ClusterReadError(
                "Event \(key) not found (the API server deletes Events after its --event-ttl, one hour by default); list them with kubectl get events -n \(key.namespace)"
            )
        } catch {
            throw ClusterReadError("cannot read Event \(key): \(error)")
        }
        do {
            return try EventDecoder.decodeKubernetesEvent(object, api: .coreV1, watchType: nil, filter: filter)
        } catch {
            throw ClusterReadError("Event \(key) is not a valid Event: \(error)")
        }
    }

    /// Every page of one Flux resource, decoded as the served version (list items carry no `kind`).
    private func list(
        _ resource: String, kind: FluxObjectStore.Kind, api: FluxServedAPI, invalid: inout [String]
    ) async throws(ClusterReadError) -> [FluxObject] {
        var objects: [FluxObject] = []
        var continueToken = ""
        repeat {
            let page: KubeListPage
            do {
                page = try await client.list(api.path(resource, namespace: watchNamespace), limit: 500, continueToken: continueToken)
            } catch {
                throw ClusterReadError("cannot list \(resource): \(error)")
            }
            for item in page.items {
                do {
                    objects.append(try api.decode(item, as: kind))
                } catch {
                    let name = "\(item["metadata"]?["namespace"]?.stringValue ?? "")/\(item["metadata"]?["name"]?.stringValue ?? "")"
                    invalid.append("\(kind.rawValue) \(name): \(error)")
                }
            }
            continueToken = page.continueToken
        } while !continueToken.isEmpty
        return objects
    }

    /// The Secrets the Providers name. A missing one is left for the notifier factory to report in Flux's
    /// words; one that cannot be read (no permission) is left out and named, as `herald run` logs it.
    private func readSecrets(of providers: [Provider], leftOut: inout [String]) async -> [ObjectKey: Secret] {
        var secrets: [ObjectKey: Secret] = [:]
        var read: Set<ObjectKey> = []
        for key in providers.flatMap(\.secretKeys) where read.insert(key).inserted {
            do {
                if let secret = try await client.secret(key) { secrets[key] = secret }
            } catch {
                leftOut.append("Secret \(key): cannot be read (\(error)); Providers that use it cannot be built")
            }
        }
        return secrets
    }

    /// `snapshot` with the involved object's labels, read only when an Alert selects it by `matchLabels`
    /// (the rule the processor applies before routing).
    private func withInvolvedLabels(of decoded: DecodedEvent, in snapshot: RoutingSnapshot) async -> RoutingSnapshot {
        guard case .event(let event, _) = decoded, snapshot.table.selectsByLabels(event.involvedObject) else { return snapshot }
        let labels = await ClusterLabels(client: client, logger: logger).labels(of: event.involvedObject)
        return RoutingSnapshot(replacingLabelsOf: snapshot, with: FetchedLabels(object: event.involvedObject, labels: labels))
    }
}

/// Why `explain --event` could not read what it needs from the cluster.
public struct ClusterReadError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
