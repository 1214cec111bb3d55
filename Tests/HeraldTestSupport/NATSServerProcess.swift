import Foundation
import HeraldJSON

/// A real `nats-server` (Debian's package of that name) on 127.0.0.1 and a random port, for the NATS
/// provider's tests. `.ci/run` installs it; elsewhere install it with `apt-get install nats-server`.
public final class NATSServerProcess: @unchecked Sendable {
    public let directory: URL
    public let configuration: String
    /// The client port, stable across `restart()`.
    public private(set) var port: Int
    private var process: Process?

    public static var executable: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin", "/usr/local/bin"]
        return directories.map { "\($0)/nats-server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts the server with `configuration` (nats-server's config syntax), listening on a random port.
    public static func start(configuration: String = "") async throws -> NATSServerProcess {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-nats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let server = NATSServerProcess(directory: directory, configuration: configuration)
        try await server.launch(port: -1)
        return server
    }

    private init(directory: URL, configuration: String) {
        self.directory = directory
        self.configuration = configuration
        port = 0
    }

    private func launch(port requested: Int) async throws {
        guard let executable = Self.executable else {
            throw TestSupportError.peer("nats-server is not installed; `apt-get install nats-server` (.ci/run does)")
        }
        let config = directory.appendingPathComponent("server.conf")
        try "listen: 127.0.0.1:\(requested)\n\(configuration)\n".write(to: config, atomically: true, encoding: .utf8)
        let portsDirectory = directory.appendingPathComponent("ports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: portsDirectory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-c", config.path, "--ports_file_dir", portsDirectory.path]
        process.standardOutput = FileHandle.nullDevice
        let log = directory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while ContinuousClock.now < deadline {
            if let file = try? FileManager.default.contentsOfDirectory(atPath: portsDirectory.path).first,
                let data = FileManager.default.contents(atPath: portsDirectory.appendingPathComponent(file).path),
                let ports = try? JSONParser.parse(Array(data)), case .array(let urls) = ports["nats"] ?? .null,
                let url = urls.first?.stringValue, let port = url.split(separator: ":").last.flatMap({ Int($0) })
            {
                self.port = port
                return
            }
            if !process.isRunning {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw TestSupportError.peer("nats-server exited: \(text)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSupportError.peer("nats-server did not report its port within 10 s")
    }

    public var url: String { "nats://127.0.0.1:\(port)" }

    /// Stops the server (SIGTERM) and waits for it to exit.
    public func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// Starts it again on the same port, as after a crash or a rolling restart.
    public func restart() async throws {
        stop()
        try await launch(port: port)
    }

    public func shutdown() {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
