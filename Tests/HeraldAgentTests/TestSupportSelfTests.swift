import HeraldJSON
import HeraldTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Checks the in-process servers of HeraldTestSupport with a plain blocking socket, so a failure
/// here points at the test support and not at Herald's transport.
@Suite struct TestSupportSelfTests {
    @Test func recorderRecordsRequestAndAnswers200ByDefault() async throws {
        try await withRecorder { recorder in
            let socket = try LoopbackSocket(port: recorder.port)
            try socket.transmit(
                "POST /hook?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Token: abc\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 20\r\n\r\n{\"message\":\"hello\"}\n"
            )
            let response = try socket.receiveResponse()
            #expect(response.status == 200)
            #expect(response.body.isEmpty)

            let requests = try await recorder.waitForRequests(count: 1)
            let request = try #require(requests.first)
            #expect(request.method == "POST")
            #expect(request.uri == "/hook?x=1")
            #expect(request.path == "/hook")
            #expect(request.query == "x=1")
            #expect(request.header("x-token") == "abc")
            #expect(request.header("X-TOKEN") == "abc")
            #expect(request.header("missing") == nil)
            #expect(request.bodyJSON?["message"]?.stringValue == "hello")
            #expect(request.clientCertificatePresented == false)
            #expect(recorder.baseURL == "http://127.0.0.1:\(recorder.port)")
        }
    }

    @Test func scriptedQueueAdvancesAndRepeatsItsLastResponseOnOneConnection() async throws {
        try await withRecorder { recorder in
            recorder.respond(
                path: "/hook", method: "post",
                with: [
                    .status(500),
                    ScriptedResponse(status: 429, headers: [("Retry-After", "3")], body: "slow down"),
                    ScriptedResponse(status: 202, body: "ok"),
                ])
            let socket = try LoopbackSocket(port: recorder.port)
            var seen: [(Int, String?, String)] = []
            for _ in 0..<4 {
                try socket.transmit("POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
                let response = try socket.receiveResponse()
                seen.append((response.status, response.header("retry-after"), response.body))
            }
            #expect(seen.map(\.0) == [500, 429, 202, 202])
            #expect(seen[1].1 == "3")
            #expect(seen[1].2 == "slow down")
            #expect(seen[3].2 == "ok")

            // Another method or path is not matched and gets the default.
            try socket.transmit("GET /hook HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try socket.receiveResponse().status == 200)
            try socket.transmit("POST /other HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
            #expect(try socket.receiveResponse().status == 200)
            #expect(await recorder.requests().count == 6)
        }
    }

    @Test func pipelinedAndChunkedRequestsAreCollectedWhole() async throws {
        try await withRecorder { recorder in
            recorder.respond(path: "/b", with: [ScriptedResponse(body: "second")])
            let socket = try LoopbackSocket(port: recorder.port)
            try socket.transmit(
                "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
                    + "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz"
            )
            let first = try socket.receiveResponse()
            let second = try socket.receiveResponse()
            #expect(first.body.isEmpty)
            #expect(second.body == "second")
            let requests = try await recorder.waitForRequests(count: 2)
            #expect(requests.map(\.path) == ["/a", "/b"])
            #expect(requests.map(\.bodyString) == ["abcde", "xyz"])
        }
    }

    @Test func delayedAnswerDoesNotHoldUpOtherConnections() async throws {
        try await withRecorder { recorder in
            recorder.respond(path: "/slow", with: [ScriptedResponse(status: 201, delay: .milliseconds(600))])
            let clock = ContinuousClock()
            let start = clock.now
            let slow = try LoopbackSocket(port: recorder.port)
            try slow.transmit("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
            let fast = try LoopbackSocket(port: recorder.port)
            try fast.transmit("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try fast.receiveResponse().status == 200)
            #expect(clock.now - start < .milliseconds(500))
            #expect(try slow.receiveResponse().status == 201)
            #expect(clock.now - start >= .milliseconds(600))
        }
    }

    @Test func hangNeverAnswersButRecords() async throws {
        try await withRecorder { recorder in
            recorder.respond(with: [.hang])
            let socket = try LoopbackSocket(port: recorder.port, receiveTimeout: .milliseconds(300))
            try socket.transmit("POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
            #expect(throws: LoopbackSocket.Failure.self) { try socket.receiveResponse() }
            #expect(try await recorder.waitForRequests(count: 1).count == 1)
        }
    }

    @Test func waitForRequestsTimesOutWithAClearError() async throws {
        try await withRecorder { recorder in
            let error = TestSupportError.requestsNotReceived(expected: 1, received: 0, timeout: .milliseconds(50))
            await #expect(throws: error) {
                try await recorder.waitForRequests(count: 1, timeout: .milliseconds(50))
            }
            #expect(error.description.contains("waiting for 1 request(s)"))
        }
    }

    @Test func recorderStartsWithTLSFixtures() async throws {
        try await withRecorder(tls: TestTLS(requireClientCertificate: true)) { recorder in
            #expect(recorder.baseURL == "https://localhost:\(recorder.port)")
            // Plain HTTP to a TLS port gets no HTTP answer; the server drops the connection.
            let socket = try LoopbackSocket(port: recorder.port, receiveTimeout: .seconds(2))
            try socket.transmit("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(throws: LoopbackSocket.Failure.self) { try socket.receiveResponse() }
            #expect(await recorder.requests().isEmpty)
        }
    }

    @Test func proxyForwardsAbsoluteFormRequests() async throws {
        try await withRecorder { recorder in
            recorder.respond(path: "/hook", with: [ScriptedResponse(status: 202, body: "accepted")])
            let proxy = try await ForwardProxy.start()
            let socket = try LoopbackSocket(port: proxy.port)
            try socket.transmit(
                "POST \(recorder.baseURL)/hook?a=b HTTP/1.1\r\nHost: 127.0.0.1:\(recorder.port)\r\n"
                    + "Proxy-Authorization: Basic dTpw\r\nContent-Length: 5\r\n\r\nhello"
            )
            let response = try socket.receiveResponse()
            #expect(response.status == 202)
            #expect(response.body == "accepted")
            let request = try #require(try await recorder.waitForRequests(count: 1).first)
            #expect(request.uri == "/hook?a=b")
            #expect(request.bodyString == "hello")
            #expect(request.header("proxy-authorization") == nil)
            #expect(await proxy.requestLines == ["POST \(recorder.baseURL)/hook?a=b HTTP/1.1"])
            #expect(await proxy.proxyAuthorizations == ["Basic dTpw"])
            try await proxy.shutdown()
        }
    }

    @Test func proxyTunnelsConnect() async throws {
        try await withRecorder { recorder in
            let proxy = try await ForwardProxy.start(requiredAuthorization: "Basic dTpw")
            let socket = try LoopbackSocket(port: proxy.port)
            try socket.transmit(
                "CONNECT 127.0.0.1:\(recorder.port) HTTP/1.1\r\nHost: 127.0.0.1:\(recorder.port)\r\n"
                    + "Proxy-Authorization: Basic dTpw\r\n\r\n"
            )
            let established = try socket.receiveResponse(hasBody: false)
            #expect(established.status == 200)
            for path in ["/one", "/two"] {
                try socket.transmit("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try socket.receiveResponse().status == 200)
            }
            #expect(try await recorder.waitForRequests(count: 2).map(\.path) == ["/one", "/two"])
            #expect(await proxy.requestLines == ["CONNECT 127.0.0.1:\(recorder.port) HTTP/1.1"])
            try await proxy.shutdown()
        }
    }

    @Test func proxyRejectsMissingOrWrongAuthorizationWith407() async throws {
        let proxy = try await ForwardProxy.start(requiredAuthorization: "Basic dTpw")
        for authorization in [nil, "Basic d3Jvbmc="] {
            let socket = try LoopbackSocket(port: proxy.port)
            let header = authorization.map { "Proxy-Authorization: \($0)\r\n" } ?? ""
            try socket.transmit("CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\(header)\r\n")
            let response = try socket.receiveResponse()
            #expect(response.status == 407)
            #expect(response.header("proxy-authenticate") != nil)
        }
        #expect(await proxy.proxyAuthorizations == ["Basic d3Jvbmc="])
        #expect(await proxy.requestLines.count == 2)
        try await proxy.shutdown()
    }
}

/// Starts a recorder, runs `body`, and shuts the recorder down whether or not `body` threw.
private func withRecorder(
    tls: TestTLS? = nil,
    _ body: (WebhookRecorder) async throws -> Void
) async throws {
    let recorder = try await WebhookRecorder.start(tls: tls)
    do {
        try await body(recorder)
    } catch {
        try? await recorder.shutdown()
        throw error
    }
    try await recorder.shutdown()
}

/// A blocking TCP client for 127.0.0.1 that sends exact bytes and reads HTTP/1.1 responses framed
/// by `Content-Length` (or by close), independent of any HTTP library.
private final class LoopbackSocket {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Response {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: String

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    private let descriptor: Int32
    private var pending: [UInt8] = []

    init(port: Int, receiveTimeout: Duration = .seconds(5)) throws {
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure(description: "connect to port \(port) failed: errno \(errno)") }
        let (seconds, attoseconds) = receiveTimeout.components
        var timeout = timeval(tv_sec: .init(seconds), tv_usec: .init(attoseconds / 1_000_000_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(descriptor)
    }

    func transmit(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
            guard sent > 0 else { throw Failure(description: "send failed: errno \(errno)") }
            offset += sent
        }
    }

    /// Reads one response; `hasBody: false` for answers without framing (`200 Connection established`).
    func receiveResponse(hasBody: Bool = true) throws -> Response {
        var headEnd = endOfHead()
        while headEnd == nil {
            guard try fill() else { throw Failure(description: "connection closed before a response head") }
            headEnd = endOfHead()
        }
        guard let headEnd else { throw Failure(description: "unreachable") }
        let lines = String(decoding: pending[..<headEnd], as: UTF8.self).split(separator: "\r\n")
        pending.removeFirst(headEnd + 4)
        let statusWords = lines.first?.split(separator: " ") ?? []
        guard statusWords.count >= 2, let status = Int(statusWords[1]) else {
            throw Failure(description: "bad status line: \(lines.first ?? "")")
        }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " }))
        }
        var response = Response(status: status, headers: headers, body: "")
        guard hasBody else { return response }
        if let length = response.header("content-length").flatMap({ Int($0) }) {
            while pending.count < length {
                guard try fill() else { throw Failure(description: "connection closed inside the body") }
            }
            response.body = String(decoding: pending[..<length], as: UTF8.self)
            pending.removeFirst(length)
        } else {
            while try fill() {}
            response.body = String(decoding: pending, as: UTF8.self)
            pending = []
        }
        return response
    }

    private func endOfHead() -> Int? {
        guard pending.count >= 4 else { return nil }
        return (0...(pending.count - 4)).first { pending[$0..<($0 + 4)].elementsEqual([13, 10, 13, 10]) }
    }

    /// Reads more bytes; false at end of stream; throws on timeout or error.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 { throw Failure(description: "recv failed (timeout?): errno \(errno)") }
        pending.append(contentsOf: chunk[..<count])
        return count > 0
    }
}
