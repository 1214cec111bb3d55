import HeraldCore
import HeraldJSON
import HeraldKube
import HeraldNotifiers
import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The `Ready` condition Herald computes for an Alert or Provider.
public struct Readiness: Sendable, Hashable {
    public var ready: Bool
    public var reason: String
    public var message: String

    public static let initialized = Readiness(ready: true, reason: "Succeeded", message: "Initialized")
}

/// Tells users whether their Alerts and Providers work, the way Flux did before v1beta3.
///
/// Where the served version has a status subresource, a `Ready` condition with `observedGeneration` is
/// written (only when it changes), so `kubectl get alerts` shows `READY True`, `STATUS Initialized`.
/// Where it has none (Flux's own v1beta3 CRDs), a problem is logged once per object generation and
/// recorded as a Warning Kubernetes Event on the object.
actor StatusWriter {
    private let client: KubeClient
    private let api: FluxServedAPI
    private let logger: Logger
    private var reported: [String: String] = [:]

    init(client: KubeClient, api: FluxServedAPI, logger: Logger) {
        self.client = client
        self.api = api
        self.logger = logger
    }

    static func readiness(provider stored: FluxObjectStore.Stored, snapshot: RoutingSnapshot) -> Readiness {
        if let error = stored.error { return Readiness(ready: false, reason: "ValidationFailed", message: error.description) }
        switch snapshot.clients[stored.meta.key] {
        case .success?: return .initialized
        case .failure(let error)?:
            let reason: String
            switch error {
            case .unsupportedType: reason = "UnsupportedProviderType"
            case .secretNotFound: reason = "SecretNotFound"
            default: reason = "ValidationFailed"
            }
            return Readiness(ready: false, reason: reason, message: error.description)
        case nil:
            return Readiness(ready: false, reason: "ValidationFailed", message: "not a Provider Herald can read")
        }
    }

    static func readiness(
        alert stored: FluxObjectStore.Stored, providers: [ObjectKey: FluxObjectStore.Stored], snapshot: RoutingSnapshot
    )
        -> Readiness
    {
        if let error = stored.error { return Readiness(ready: false, reason: "ValidationFailed", message: error.description) }
        guard case .alert(let alert)? = stored.object else {
            return Readiness(ready: false, reason: "ValidationFailed", message: "not an Alert Herald can read")
        }
        guard let provider = providers[alert.providerKey] else {
            return Readiness(ready: false, reason: "ProviderNotFound", message: "Provider \(alert.providerKey) not found")
        }
        let providerReadiness = readiness(provider: provider, snapshot: snapshot)
        guard providerReadiness.ready else {
            return Readiness(
                ready: false, reason: "ProviderNotReady", message: "Provider \(alert.providerKey): \(providerReadiness.message)")
        }
        return .initialized
    }

    func report(
        alerts: [ObjectKey: FluxObjectStore.Stored], providers: [ObjectKey: FluxObjectStore.Stored], snapshot: RoutingSnapshot
    ) async {
        // Forget deleted objects, so this memory follows the number of Alerts and Providers.
        let present = Set(alerts.keys.map { "Alert/\($0)" } + providers.keys.map { "Provider/\($0)" })
        reported = reported.filter { present.contains($0.key) }
        for stored in providers.values.sorted(by: { $0.meta.key < $1.meta.key }) {
            await write(.provider, stored, Self.readiness(provider: stored, snapshot: snapshot), hasStatus: api.providersHaveStatus)
        }
        for stored in alerts.values.sorted(by: { $0.meta.key < $1.meta.key }) {
            let readiness = Self.readiness(alert: stored, providers: providers, snapshot: snapshot)
            await write(.alert, stored, readiness, hasStatus: api.alertsHaveStatus)
        }
    }

    private func write(_ kind: FluxObjectStore.Kind, _ stored: FluxObjectStore.Stored, _ readiness: Readiness, hasStatus: Bool) async {
        let key = stored.meta.key
        let identity = "\(kind.rawValue)/\(key)"
        let fingerprint = "\(stored.meta.generation)|\(readiness.ready)|\(readiness.reason)|\(readiness.message)"
        guard reported[identity] != fingerprint else { return }
        let resource = kind == .alert ? "alerts" : "providers"
        if hasStatus {
            if Self.currentCondition(stored.status, generation: stored.meta.generation) == readiness {
                reported[identity] = fingerprint
                return
            }
            let condition: JSONValue = [
                "type": "Ready", "status": .string(readiness.ready ? "True" : "False"), "reason": .string(readiness.reason),
                "message": .string(readiness.message), "lastTransitionTime": .string(Self.now()),
                "observedGeneration": .integer(stored.meta.generation),
            ]
            let patch: JSONValue = ["status": ["observedGeneration": .integer(stored.meta.generation), "conditions": [condition]]]
            do {
                _ = try await client.mergePatch(
                    api.path(resource, namespace: key.namespace).named(key.name, namespace: key.namespace).subresource("status"), patch)
                reported[identity] = fingerprint
                logger.debug(
                    "status written", metadata: ["object": "\(identity)", "ready": "\(readiness.ready)", "reason": "\(readiness.reason)"])
            } catch {
                logger.error("failed to write status of \(identity): \(error)")
            }
            return
        }
        reported[identity] = fingerprint
        guard !readiness.ready else { return }
        logger.error(
            "\(identity) is not ready: \(readiness.message)",
            metadata: ["reason": "\(readiness.reason)", "generation": "\(stored.meta.generation)"])
        await recordEvent(kind: kind, stored: stored, readiness: readiness)
    }

    /// The Ready condition already on the object, when it was written for this generation.
    static func currentCondition(_ status: JSONValue?, generation: Int) -> Readiness? {
        guard let status, status["observedGeneration"]?.intValue == generation else { return nil }
        guard let ready = status["conditions"]?.arrayValue?.first(where: { $0["type"]?.stringValue == "Ready" }) else { return nil }
        return Readiness(
            ready: ready["status"]?.stringValue == "True", reason: ready["reason"]?.stringValue ?? "",
            message: ready["message"]?.stringValue ?? "")
    }

    private func recordEvent(kind: FluxObjectStore.Kind, stored: FluxObjectStore.Stored, readiness: Readiness) async {
        let key = stored.meta.key
        let now = Self.now()
        let suffix = String(UInt64(Date().timeIntervalSince1970 * 1_000_000_000), radix: 16)
        let event: JSONValue = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string("\(key.name).\(suffix)"), "namespace": .string(key.namespace)],
            "involvedObject": [
                "kind": .string(kind.rawValue), "namespace": .string(key.namespace), "name": .string(key.name),
                "uid": .string(stored.meta.uid), "apiVersion": .string(api.version.apiVersion),
            ],
            "type": "Warning", "reason": .string(readiness.reason), "message": .string(readiness.message),
            "source": ["component": "herald"], "reportingComponent": "herald", "firstTimestamp": .string(now),
            "lastTimestamp": .string(now), "count": 1,
        ]
        do {
            _ = try await client.create(ResourcePath(group: "", version: "v1", resource: "events", namespace: key.namespace), event)
        } catch {
            logger.warning("failed to record an Event on \(kind.rawValue) \(key): \(error)")
        }
    }

    static func now() -> String {
        FluxTimestamp(secondsSinceEpoch: Int64(Date().timeIntervalSince1970)).rfc3339
    }
}
