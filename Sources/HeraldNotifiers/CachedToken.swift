import Synchronization

/// One access token and when to stop reusing it: the credential cache of the interactive notifiers.
final class CachedToken: Sendable {
    private let state = Mutex<(token: String, refreshAt: Double)?>(nil)

    /// The longest a token is reused, as Flux's token cache caps it.
    static let maximumSeconds = 3600.0

    /// The token while `now` is before its refresh time.
    func current(now: Double) -> String? {
        state.withLock { cached in
            guard let cached, cached.refreshAt > now else { return nil }
            return cached.token
        }
    }

    /// Keeps a token for 80% of its remaining life, at most an hour.
    func store(_ token: String, expiresAt expiry: Double, now: Double) {
        let lifetime = min(max(0, expiry - now) * 0.8, Self.maximumSeconds)
        state.withLock { $0 = (token, now + lifetime) }
    }

    func invalidate() { state.withLock { $0 = nil } }
}
