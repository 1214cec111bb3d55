import HeraldCore
import HeraldJSON
import HeraldKube
import HeraldNotifiers
import Logging

/// The `Ready` condition Herald computes for an Alert or Provider.
public struct Readiness: Sendable, Hashable {
    public var ready: Bool
    public var reason: String
    public var message: String

    public static let initialized = Readiness(ready: true, reason: "Succeeded", message: "Initialized")
}

/// Tells users whether their Alerts and Providers work, and whether their notifications arrive.
///
/// Where the served version has a status subresource, a `Ready` condition with `observedGeneration` is
/// written (only when it changes), so `kubectl get alerts` shows `READY True`, `STATUS Initialized`,
/// and Providers get a `LastDelivery` condition (see ``DeliveryStatus``). Where it has none (Flux's own
/// v1beta3 CRDs), a problem is logged once per object generation and recorded as a Kubernetes Event on
/// the object. A merge patch replaces the whole conditions list, so every write carries every condition
/// Herald keeps on the object.
actor StatusWriter {
    private let client: KubeClient
    private let api: FluxServedAPI
    private let logger: Logger
    private var reported: [String: String] = [:]
    /// Each object's conditions by type, as last read from it or written by this process.
    private var conditions: [String: [String: JSONValue]] = [:]
    private var providers: [ObjectKey: FluxObjectStore.Stored] = [:]
    private var deliveries: DeliveryStatus
    private let clock: WallClock

    init(client: KubeClient, api: FluxServedAPI, logger: Logger, deliveryInterval: Duration = .seconds(30), clock: WallClock = .system) {
        self.clock = clock
        self.client = client
        self.api = api
        self.logger = logger
        self.deliveries = DeliveryStatus(interval: deliveryInterval)
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
        conditions = conditions.filter { present.contains($0.key) }
        deliveries.keep(Set(providers.keys))
        self.providers = providers
        for stored in providers.values { seed(.provider, stored) }
        for stored in alerts.values { seed(.alert, stored) }
        for stored in providers.values.sorted(by: { $0.meta.key < $1.meta.key }) {
            await write(.provider, stored, Self.readiness(provider: stored, snapshot: snapshot), hasStatus: api.providersHaveStatus)
        }
        for stored in alerts.values.sorted(by: { $0.meta.key < $1.meta.key }) {
            let readiness = Self.readiness(alert: stored, providers: providers, snapshot: snapshot)
            await write(.alert, stored, readiness, hasStatus: api.alertsHaveStatus)
        }
    }

    /// Learns the conditions already on an object the first time it is seen; after that this process's
    /// own writes are newer than what a rebuild read.
    private func seed(_ kind: FluxObjectStore.Kind, _ stored: FluxObjectStore.Stored) {
        let identity = "\(kind.rawValue)/\(stored.meta.key)"
        guard conditions[identity] == nil else { return }
        var byType: [String: JSONValue] = [:]
        for condition in stored.status?["conditions"]?.arrayValue ?? [] {
            if let type = condition["type"]?.stringValue { byType[type] = condition }
        }
        conditions[identity] = byType
        if kind == .provider, let last = byType[DeliveryStatus.conditionType] {
            deliveries.seed(stored.meta.key, from: last)
        }
    }

    private func write(_ kind: FluxObjectStore.Kind, _ stored: FluxObjectStore.Stored, _ readiness: Readiness, hasStatus: Bool) async {
        let key = stored.meta.key
        let identity = "\(kind.rawValue)/\(key)"
        let fingerprint = "\(stored.meta.generation)|\(readiness.ready)|\(readiness.reason)|\(readiness.message)"
        guard reported[identity] != fingerprint else { return }
        if hasStatus {
            if Self.currentCondition(stored.status, generation: stored.meta.generation) == readiness {
                reported[identity] = fingerprint
                return
            }
            let condition = self.condition(
                type: "Ready", status: readiness.ready, reason: readiness.reason, message: readiness.message,
                generation: stored.meta.generation)
            if await patchConditions(kind, key: key, setting: condition, observedGeneration: stored.meta.generation) {
                reported[identity] = fingerprint
                logger.debug(
                    "status written", metadata: ["object": "\(identity)", "ready": "\(readiness.ready)", "reason": "\(readiness.reason)"])
            }
            return
        }
        reported[identity] = fingerprint
        guard !readiness.ready else { return }
        logger.error(
            "\(identity) is not ready: \(readiness.message)",
            metadata: ["reason": "\(readiness.reason)", "generation": "\(stored.meta.generation)"])
        await recordEvent(kind: kind, stored: stored, type: "Warning", reason: readiness.reason, message: readiness.message)
    }

    /// Records what became of a delivery through `provider`; writes happen on a change of result, at most
    /// once per interval per Provider.
    func recordDelivery(provider key: ObjectKey, outcome: DeliveryOutcome) async {
        guard let result = DeliveryResult(outcome) else { return }
        switch deliveries.record(key, result, now: .now) {
        case .nothing: return
        case .writeNow(let previous): await writeDelivery(key, result, previous: previous)
        case .flush(let after):
            Task {
                try? await Task.sleep(for: after)
                await self.flushDelivery(key)
            }
        }
    }

    private func flushDelivery(_ key: ObjectKey) async {
        guard let (result, previous) = deliveries.takePending(key, now: .now) else { return }
        await writeDelivery(key, result, previous: previous)
    }

    private func writeDelivery(_ key: ObjectKey, _ result: DeliveryResult, previous: DeliveryResult?) async {
        guard let stored = providers[key] else { return }
        logger.debug("delivery status changed", metadata: ["provider": "\(key)", "reason": "\(result.reason)"])
        if api.providersHaveStatus {
            let condition = self.condition(
                type: DeliveryStatus.conditionType, status: result.succeeded, reason: result.reason, message: result.message,
                generation: nil)
            _ = await patchConditions(.provider, key: key, setting: condition, observedGeneration: nil)
            return
        }
        // No status subresource: an Event when deliveries start failing, and one when they recover.
        if !result.succeeded && previous?.succeeded != false {
            await recordEvent(kind: .provider, stored: stored, type: "Warning", reason: result.reason, message: result.message)
        } else if result.succeeded && previous?.succeeded == false {
            await recordEvent(kind: .provider, stored: stored, type: "Normal", reason: "DeliveryRecovered", message: result.message)
        }
    }

    /// Writes the object's conditions with `condition` replacing the one of its type.
    private func patchConditions(
        _ kind: FluxObjectStore.Kind, key: ObjectKey, setting condition: JSONValue, observedGeneration: Int?
    ) async -> Bool {
        let identity = "\(kind.rawValue)/\(key)"
        guard let type = condition["type"]?.stringValue else { return false }
        var byType = conditions[identity] ?? [:]
        byType[type] = condition
        conditions[identity] = byType
        // Ready first, then the others by type, so the list reads the same on every write.
        let ordered = byType.sorted { ($0.key == "Ready" ? 0 : 1, $0.key) < ($1.key == "Ready" ? 0 : 1, $1.key) }.map(\.value)
        var status = JSONObject([("conditions", .array(ordered))])
        if let observedGeneration { status.append("observedGeneration", .integer(observedGeneration)) }
        let resource = kind == .alert ? "alerts" : "providers"
        do {
            _ = try await client.mergePatch(
                api.path(resource, namespace: key.namespace).named(key.name, namespace: key.namespace).subresource("status"),
                ["status": .object(status)])
            return true
        } catch {
            logger.error("failed to write status of \(identity): \(error)")
            return false
        }
    }

    func condition(type: String, status: Bool, reason: String, message: String, generation: Int?) -> JSONValue {
        var condition = JSONObject([
            ("type", .string(type)), ("status", .string(status ? "True" : "False")), ("reason", .string(reason)),
            ("message", .string(message)), ("lastTransitionTime", .string(clock.timestamp.rfc3339)),
        ])
        if let generation { condition.append("observedGeneration", .integer(generation)) }
        return .object(condition)
    }

    /// The Ready condition already on the object, when it was written for this generation.
    static func currentCondition(_ status: JSONValue?, generation: Int) -> Readiness? {
        guard let status, status["observedGeneration"]?.intValue == generation else { return nil }
        guard let ready = status["conditions"]?.arrayValue?.first(where: { $0["type"]?.stringValue == "Ready" }) else { return nil }
        return Readiness(
            ready: ready["status"]?.stringValue == "True", reason: ready["reason"]?.stringValue ?? "",
            message: ready["message"]?.stringValue ?? "")
    }

    private func recordEvent(
        kind: FluxObjectStore.Kind, stored: FluxObjectStore.Stored, type: String, reason: String, message: String
    )
        async
    {
        let key = stored.meta.key
        let reading = clock.reading
        let now = FluxTimestamp(secondsSinceEpoch: reading.seconds).rfc3339
        let suffix = String(UInt64(reading.seconds) * 1_000_000_000 + UInt64(reading.nanoseconds), radix: 16)
        let event: JSONValue = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string("\(key.name).\(suffix)"), "namespace": .string(key.namespace)],
            "involvedObject": [
                "kind": .string(kind.rawValue), "namespace": .string(key.namespace), "name": .string(key.name),
                "uid": .string(stored.meta.uid), "apiVersion": .string(api.version.apiVersion),
            ],
            "type": .string(type), "reason": .string(reason), "message": .string(message),
            "source": ["component": "herald"], "reportingComponent": "herald", "firstTimestamp": .string(now),
            "lastTimestamp": .string(now), "count": 1,
        ]
        do {
            _ = try await client.create(ResourcePath(group: "", version: "v1", resource: "events", namespace: key.namespace), event)
        } catch {
            logger.warning("failed to record an Event on \(kind.rawValue) \(key): \(error)")
        }
    }

}
