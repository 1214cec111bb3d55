import HeraldKube
import Logging
import ServiceLifecycle

/// The object store's own work: building snapshots after each change, and learning from delivery outcomes.
struct StoreService: Service {
    let store: FluxObjectStore
    let outcomes: ProviderOutcomeFeed

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await store.runRebuilds() }
                group.addTask {
                    for await _ in outcomes.signals {
                        for (provider, news) in outcomes.take() { await store.observe(news, provider: provider) }
                    }
                }
                await group.waitForAll()
            }
        }
    }
}

/// A reflector as a service: runs until graceful shutdown.
struct ReflectorService: Service {
    let reflector: Reflector
    /// Waited for before the first list: the Event watch starts once Alerts and Providers are routable.
    var after: @Sendable () async -> Void = {}

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await after()
            await reflector.run()
        }
    }
}

/// The dispatcher as a service: on graceful shutdown it stops taking work and drains, for a bounded time.
struct DispatcherService: Service {
    let dispatcher: Dispatcher
    let drainTimeout: Duration
    let logger: Logger

    func run() async throws {
        let workers = Task { await dispatcher.run() }
        try? await gracefulShutdown()
        await dispatcher.finish()
        // Awaiting a task's value ignores cancellation: forward it, or the deadline could not end the wait.
        let drained =
            await DeadlineRace.run(within: drainTimeout) {
                await withTaskCancellationHandler {
                    await workers.value
                } onCancel: {
                    workers.cancel()
                }
            } != nil
        if !drained {
            logger.warning("shutdown timeout reached; abandoning deliveries still in flight", metadata: ["timeout": "\(drainTimeout)"])
            workers.cancel()
            await workers.value
        }
    }
}
