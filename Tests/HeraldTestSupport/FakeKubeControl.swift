import NIOCore
import Synchronization

/// The connection side of a `FakeKubeAPIServer`: the request log, injected failures, accepted
/// bearer tokens and open connections (so restarts and shutdown can close them).
final class FakeKubeControl: Sendable {
    private struct FailureRule {
        var status: Int
        var remaining: Int
        var retryAfterSeconds: Int?
        var path: String?
    }

    private struct State {
        var requests: [FakeKubeRequest] = []
        var failures: [FailureRule] = []
        var delays: [String: TimeAmount] = [:]
        /// nil: no token needed.
        var acceptedTokens: Set<String>?
    }

    private let state: Mutex<State>
    private let tracker = ConnectionTracker()

    init(acceptedTokens: Set<String>?) {
        state = Mutex(State(acceptedTokens: acceptedTokens))
    }

    var requests: [FakeKubeRequest] {
        state.withLock { $0.requests }
    }

    /// Keeps the last `requestLogCapacity` requests, so a long soak test stays bounded.
    func record(_ request: FakeKubeRequest) {
        state.withLock { state in
            state.requests.append(request)
            if state.requests.count > Self.requestLogCapacity { state.requests.removeFirst(state.requests.count - Self.requestLogCapacity) }
        }
    }

    static let requestLogCapacity = 10_000

    func clearRequests() {
        state.withLock { $0.requests = [] }
    }

    func setAcceptedTokens(_ tokens: Set<String>) {
        state.withLock { $0.acceptedTokens = tokens }
    }

    /// Whether the request's `Authorization: Bearer` token is accepted (always true without token auth).
    func isAuthenticated(_ request: FakeKubeRequest) -> Bool {
        guard let accepted = state.withLock({ $0.acceptedTokens }) else { return true }
        guard let header = request.header("authorization") else { return false }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        let token = parts[1].drop { $0 == " " }
        return !token.isEmpty && accepted.contains(String(token))
    }

    func delay(path: String, by amount: TimeAmount?) {
        state.withLock { $0.delays[path] = amount }
    }

    /// How long to hold the answer to `request`, if a delay was set for its path.
    func delay(for request: FakeKubeRequest) -> TimeAmount? {
        state.withLock { $0.delays[request.path] }
    }

    func failNext(status: Int, count: Int, retryAfterSeconds: Int?, path: String?) {
        guard count > 0 else { return }
        state.withLock {
            $0.failures.append(FailureRule(status: status, remaining: count, retryAfterSeconds: retryAfterSeconds, path: path))
        }
    }

    /// Takes one injected failure matching `request`, if any: (status, retry-after seconds).
    func takeFailure(for request: FakeKubeRequest) -> (status: Int, retryAfterSeconds: Int?)? {
        state.withLock { state in
            guard
                let index = state.failures.firstIndex(where: { rule in
                    guard let path = rule.path else { return true }
                    return path == (path.contains("?") ? request.uri : request.path)
                })
            else { return nil }
            let rule = state.failures[index]
            state.failures[index].remaining -= 1
            if state.failures[index].remaining == 0 { state.failures.remove(at: index) }
            return (rule.status, rule.retryAfterSeconds)
        }
    }

    /// Remembers an accepted connection until it closes.
    func track(_ channel: any Channel) { tracker.track(channel) }

    /// Every open connection; with `shuttingDown`, new ones are refused from now on.
    func connections(shuttingDown: Bool) -> [any Channel] { tracker.connections(shuttingDown: shuttingDown) }
}
