import ServiceLifecycle

/// The leader elector as a service: elects until shutdown, then hands the Lease over.
struct LeaderElectionService: Service {
    let elector: LeaderElector

    func run() async throws {
        await cancelWhenGracefulShutdown { await elector.run() }
        await elector.releaseIfLeading()
    }
}
