/// The bounds of the event endpoint: no sender, slow, idle, numerous or large, holds it or its memory.
///
/// The defaults follow notification-controller's event server and Go's `net/http` (header and body read
/// timeouts, an idle timeout, a 3 MiB body), and add what Go leaves open: a connection cap that closes the
/// oldest idle connection first, a bound on the body bytes held at once across connections, and a bound
/// on the JSON values one body may hold.
public struct IngestLimits: Sendable, Hashable {
    /// From a connection's start until its request's headers are read.
    public var headerTimeout: Duration = .seconds(10)
    /// From the headers until the body has been read.
    public var bodyTimeout: Duration = .seconds(30)
    /// A keep-alive connection's wait for its next request.
    public var idleTimeout: Duration = .seconds(30)
    /// Open connections; beyond it the oldest idle one is closed, or the new one when none is idle.
    public var maximumConnections = 1024
    /// One request's body: 3 MiB, as notification-controller (413 beyond).
    public var maximumBodyBytes = 3 << 20
    /// Body bytes held across every connection at once (503 with `Retry-After` beyond; Flux's clients retry).
    public var bufferedBodyBytes = 8 << 20
    /// JSON values in one body: a Flux event holds a few dozen; 400 beyond.
    public var maximumValues = 10_000

    public init() {}
}
