import HeraldAgent
import HeraldJSON
import HeraldTestSupport
import Testing

/// The event endpoint against hostile senders (issue 21): slow headers and bodies, idle sockets, too many
/// connections, bodies too large for one request or for all of them together, bodies of many small values.
/// Each timeout is shortened here; the test waits for the server to act, with a deadline far above it.
@Suite("Event ingest endpoint under hostile input")
struct IngestHardeningTests {
    static let event = String(decoding: EventIngestTests.fluxEvent(message: "applied"), as: UTF8.self)

    /// Only the timeout a test is about is short: a test process stalled for seconds under load must not
    /// let another one close the connection first.
    static func limits(
        header: Duration = .seconds(60), body: Duration = .seconds(60), idle: Duration = .seconds(60), connections: Int = 1024,
        buffered: Int = 8 << 20
    ) -> IngestLimits {
        var limits = IngestLimits()
        limits.headerTimeout = header
        limits.bodyTimeout = body
        limits.idleTimeout = idle
        limits.maximumConnections = connections
        limits.bufferedBodyBytes = buffered
        return limits
    }

    static func post(_ body: String, keepAlive: Bool = false) -> String {
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
            + (keepAlive ? "" : "Connection: close\r\n") + "\r\n" + body
    }

    func withServer(_ limits: IngestLimits, _ body: (EventIngestTests.Running, Int) async throws -> Void) async throws {
        let running = try await EventIngestTests().start(limits: limits)
        do {
            try await body(running, running.server.boundPort ?? 0)
        } catch {
            await running.stop()
            throw error
        }
        await running.stop()
    }

    @Test("a request whose headers stop halfway is closed after the header timeout")
    func slowHeaders() async throws {
        try await withServer(Self.limits(header: .milliseconds(300))) { _, port in
            let connection = try await RawTCPConnection.connect(port: port)
            // If this process stalls past the timeout before sending, the server has closed already: the
            // same outcome, so a failed send is not a failure.
            try? await connection.send("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
            #expect(try await connection.waitForClose(timeout: .seconds(20)))
        }
    }

    @Test("a body that stops halfway is closed after the body timeout, and its bytes are given back")
    func slowBody() async throws {
        try await withServer(Self.limits(body: .milliseconds(300), buffered: 4096)) { running, port in
            let connection = try await RawTCPConnection.connect(port: port)
            try await connection.send(
                "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4000\r\n\r\n" + String(repeating: "x", count: 3000))
            #expect(try await connection.waitForClose(timeout: .seconds(20)))
            try await waitUntil { running.server.bufferedBodyBytes == 0 }
            // The 3,000 bytes it held are free again: a full event fits the 4,096-byte budget.
            let sender = try await RawTCPConnection.connect(port: port)
            try await sender.send(Self.post(Self.event))
            #expect(try await sender.waitFor("HTTP/1.1 202", timeout: .seconds(20)))
            await sender.close()
        }
    }

    @Test("a keep-alive connection with no next request is closed after the idle timeout")
    func idleKeepAlive() async throws {
        try await withServer(Self.limits(idle: .milliseconds(300))) { _, port in
            let connection = try await RawTCPConnection.connect(port: port)
            try await connection.send(Self.post(Self.event, keepAlive: true))
            #expect(try await connection.waitFor("HTTP/1.1 202", timeout: .seconds(20)))
            #expect(try await connection.waitForClose(timeout: .seconds(20)))
        }
    }

    @Test("at the connection cap the oldest idle connection makes room for a real sender")
    func connectionCapClosesOldestIdle() async throws {
        try await withServer(Self.limits(connections: 3)) { running, port in
            var idle: [RawTCPConnection] = []
            for _ in 0..<3 {
                idle.append(try await RawTCPConnection.connect(port: port))
                try await waitUntil { running.server.openConnections == idle.count }
            }
            let sender = try await RawTCPConnection.connect(port: port)
            try await sender.send(Self.post(Self.event))
            #expect(try await sender.waitFor("HTTP/1.1 202", timeout: .seconds(20)))
            #expect(try await idle[0].waitForClose(timeout: .seconds(20)))
            #expect(idle[1].isOpen && idle[2].isOpen)
            for connection in idle { await connection.close() }
            await sender.close()
        }
    }

    @Test("when every connection is busy with a request, a new one is closed, not let in")
    func connectionCapRefusesWhenAllBusy() async throws {
        try await withServer(Self.limits(connections: 2)) { running, port in
            var busy: [RawTCPConnection] = []
            for _ in 0..<2 {
                let connection = try await RawTCPConnection.connect(port: port)
                try await connection.send("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{")
                busy.append(connection)
            }
            // Each has sent its headers and one byte of body: both are busy.
            try await waitUntil { running.server.bufferedBodyBytes == 2 }
            let refused = try await RawTCPConnection.connect(port: port)
            #expect(try await refused.waitForClose(timeout: .seconds(20)))
            #expect(busy.allSatisfy { $0.isOpen })
            for connection in busy { await connection.close() }
        }
    }

    @Test("a declared body over 3 MiB is answered 413 at once, without reading it")
    func declaredTooLarge() async throws {
        try await withServer(Self.limits()) { _, port in
            let connection = try await RawTCPConnection.connect(port: port)
            try await connection.send("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \((3 << 20) + 1)\r\n\r\n{")
            #expect(try await connection.waitFor("HTTP/1.1 413", timeout: .seconds(20)))
            #expect(try await connection.waitForClose(timeout: .seconds(20)))
        }
    }

    @Test("bodies beyond the budget shared by all connections are answered 503 with Retry-After")
    func sharedBodyBudget() async throws {
        try await withServer(Self.limits(buffered: 2048)) { running, port in
            let holder = try await RawTCPConnection.connect(port: port)
            try await holder.send(
                "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4000\r\n\r\n" + String(repeating: "x", count: 1800))
            try await waitUntil { running.server.bufferedBodyBytes == 1800 }
            let sender = try await RawTCPConnection.connect(port: port)
            try await sender.send(Self.post(Self.event))
            #expect(try await sender.waitFor("HTTP/1.1 503", timeout: .seconds(20)))
            #expect(sender.received.contains("Retry-After: 1"))
            await holder.close()
            await sender.close()
        }
    }

    @Test("a body of many small values is 400, whatever its size in bytes")
    func manyValues() async throws {
        try await withServer(Self.limits()) { _, port in
            let values = "[" + Array(repeating: "0", count: 20_000).joined(separator: ",") + "]"
            let connection = try await RawTCPConnection.connect(port: port)
            try await connection.send(Self.post(#"{"message":"m","metadata":{"k":"v"},"x":"# + values + "}"))
            #expect(try await connection.waitFor("HTTP/1.1 400", timeout: .seconds(20)))
            #expect(connection.received.contains("more values than this input may hold"))
        }
    }

    @Test("headers beyond SwiftNIO's 80 KiB bound are refused")
    func oversizedHeaders() async throws {
        try await withServer(Self.limits()) { _, port in
            let connection = try await RawTCPConnection.connect(port: port)
            try await connection.send("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: \(String(repeating: "a", count: 100_000))\r\n\r\n")
            #expect(try await connection.waitForClose(timeout: .seconds(20)))
            #expect(connection.received.hasPrefix("HTTP/1.1 400"), "\(connection.received)")
        }
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(condition())
    }
}
