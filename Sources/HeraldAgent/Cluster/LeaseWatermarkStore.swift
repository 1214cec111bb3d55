import HeraldCore
import HeraldJSON
import HeraldKube
import Logging
import Synchronization

/// Reads and writes the delivery watermark as an annotation on a `coordination.k8s.io/v1` Lease.
///
/// The Lease is Herald's one piece of state in the cluster (leader election will use the same object),
/// so restarts and hand-overs need no disk.
public actor LeaseWatermarkStore {
    private let client: KubeClient
    private let path: ResourcePath
    private let name: String
    private let namespace: String
    private let logger: Logger
    private var lastSaved: DeliveryWatermark?
    private let savedAt = Mutex<ContinuousClock.Instant?>(nil)

    /// When the watermark was last written (readable from any thread, for the age metric).
    public nonisolated var lastSavedAt: ContinuousClock.Instant? { savedAt.withLock { $0 } }

    /// Keeps the watermark in an annotation of Lease `namespace/name`, creating the Lease when needed.
    public init(client: KubeClient, namespace: String, name: String, logger: Logger) {
        self.client = client
        self.namespace = namespace
        self.name = name
        self.path = ResourcePath(group: "coordination.k8s.io", version: "v1", resource: "leases", namespace: namespace)
        self.logger = logger
    }

    /// The stored watermark; `nil` when there is none (first start) or it cannot be read.
    public func load() async throws(KubeError) -> DeliveryWatermark? {
        do {
            let lease = try await client.get(path.named(name, namespace: namespace))
            guard let text = lease["metadata"]?["annotations"]?[DeliveryWatermark.annotation]?.stringValue else { return nil }
            guard let watermark = DeliveryWatermark(annotationValue: text) else {
                logger.warning("ignoring an unreadable watermark on Lease \(namespace)/\(name)")
                return nil
            }
            lastSaved = watermark
            return watermark
        } catch  where error.isNotFound {
            return nil
        }
    }

    /// Writes the watermark when it changed; creates the Lease on first use.
    public func save(_ watermark: DeliveryWatermark) async {
        guard watermark != lastSaved, watermark.time != .min else { return }
        let patch: JSONValue = ["metadata": ["annotations": [DeliveryWatermark.annotation: .string(watermark.annotationValue)]]]
        do {
            do {
                _ = try await client.mergePatch(path.named(name, namespace: namespace), patch)
            } catch  where error.isNotFound {
                let lease: JSONValue = [
                    "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                    "metadata": [
                        "name": .string(name), "namespace": .string(namespace),
                        "annotations": [DeliveryWatermark.annotation: .string(watermark.annotationValue)],
                    ],
                    "spec": [:],
                ]
                _ = try await client.create(path, lease)
            }
            lastSaved = watermark
            savedAt.withLock { $0 = .now }
        } catch {
            logger.error("failed to write the delivery watermark to Lease \(namespace)/\(name): \(error)")
        }
    }
}
