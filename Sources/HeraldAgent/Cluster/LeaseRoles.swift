import HeraldKube
import Logging

/// What Herald does with its Lease: keep the delivery watermark on it, and (with `--leader-elect`) hold it.
struct LeaseRoles: Sendable {
    let watermarks: LeaseWatermarkStore?
    let elector: LeaderElector?

    init(configuration: ClusterConfiguration, client: KubeClient, clock: WallClock, logger: Logger) {
        let namespace = configuration.leaseNamespace ?? client.config.namespace
        watermarks = configuration.leaseName.map { LeaseWatermarkStore(client: client, namespace: namespace, name: $0, logger: logger) }
        elector = configuration.leaderElection.flatMap { timing in
            configuration.leaseName.map { lease in
                LeaderElector(
                    client: client, namespace: namespace, name: lease, identity: LeaderElector.defaultIdentity(), timing: timing,
                    clock: clock, logger: logger)
            }
        }
    }
}
