import HeraldCore
import HeraldNotifiers
import Testing

@testable import HeraldAgent

/// The feed from the dispatcher to the object store keeps each Provider's newest outcome, so a flood
/// for one Provider never hides another's, and a 401 is not lost behind a later success.
@Suite("Provider outcome feed")
struct ProviderOutcomeFeedTests {
    static func job(_ provider: String) throws -> DeliveryJob {
        let key = ObjectKey(namespace: "apps", name: provider)
        let client = try NotifierFactory.make(
            provider: Provider(meta: ObjectMeta(key: key), type: .generic, address: "http://127.0.0.1:9/hook")
        ) { _ in nil }
        let event = Event(
            involvedObject: ObjectReference(kind: "Kustomization", namespace: "apps", name: "webapp"), severity: "info",
            timestamp: FluxTimestamp(secondsSinceEpoch: 1_764_000_000), message: "m", reason: "r", metadata: [:],
            reportingController: "kustomize-controller")
        return DeliveryJob(alert: ObjectKey(namespace: "apps", name: "all"), client: client, event: event, plan: .skip(reason: "test"))
    }

    static func failed(_ status: Int) -> DeliveryOutcome {
        .failed(DeliveryFailure(message: "HTTP \(status)", status: status, attempts: 1))
    }

    @Test("one Provider's flood does not push out another's outcome; each Provider keeps its newest, in arrival order")
    func coalescesPerProvider() throws {
        let feed = ProviderOutcomeFeed()
        feed.observe(.delivered(status: 200, attempts: 1), job: try Self.job("quiet"))
        let busy = try Self.job("busy")
        for index in 0..<10_000 {
            feed.observe(index.isMultiple(of: 2) ? Self.failed(500) : .delivered(status: 202, attempts: 1), job: busy)
        }
        let taken = feed.take()
        #expect(taken.map(\.provider.name) == ["quiet", "busy"])
        #expect(taken[0].news.outcome == .delivered(status: 200, attempts: 1))
        #expect(taken[1].news.outcome == .delivered(status: 202, attempts: 1))
        #expect(!taken[1].news.credentialsRejected)
        #expect(feed.take().isEmpty, "taking empties the feed")
    }

    @Test("a 401 or 403 hidden behind a later success still asks for fresh credentials, once")
    func rememberRejection() throws {
        let feed = ProviderOutcomeFeed()
        let job = try Self.job("rotated")
        feed.observe(Self.failed(401), job: job)
        feed.observe(.delivered(status: 200, attempts: 1), job: job)
        let first = feed.take()
        #expect(first.count == 1)
        #expect(first.first?.news.credentialsRejected == true)
        #expect(first.first?.news.outcome == .delivered(status: 200, attempts: 1))
        feed.observe(.delivered(status: 200, attempts: 1), job: job)
        #expect(feed.take().first?.news.credentialsRejected == false)
        feed.observe(Self.failed(403), job: job)
        #expect(feed.take().first?.news.credentialsRejected == true)
    }

    @Test("news raises one signal however much of it waits")
    func signals() async throws {
        let feed = ProviderOutcomeFeed()
        for name in ["a", "b", "c"] { feed.observe(.delivered(status: 200, attempts: 1), job: try Self.job(name)) }
        feed.finish()
        var count = 0
        for await _ in feed.signals { count += 1 }
        #expect(count == 1)
        #expect(feed.take().map(\.provider.name) == ["a", "b", "c"])
    }
}
