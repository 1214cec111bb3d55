import NIOCore
import Synchronization

/// The open connections of an in-process server, so shutdown (or a fault injection) can close them.
///
/// Shared by every test server: a connection accepted after shutdown began is closed at once.
final class ConnectionTracker: Sendable {
    private struct State {
        var connections: [ObjectIdentifier: any Channel] = [:]
        var isShutDown = false
    }

    private let state = Mutex(State())

    /// Remembers an accepted connection until it closes.
    func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let accepted = state.withLock { state in
            guard !state.isShutDown else { return false }
            state.connections[id] = channel
            return true
        }
        guard accepted else {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { _ in
            self.state.withLock { _ = $0.connections.removeValue(forKey: id) }
        }
    }

    /// The open connections; with `shuttingDown`, later connections are refused from now on.
    func connections(shuttingDown: Bool) -> [any Channel] {
        state.withLock { state in
            if shuttingDown { state.isShutDown = true }
            return Array(state.connections.values)
        }
    }
}
