import Foundation
import HeraldCore
import HeraldNotifiers
import Testing

/// `examples/providers/` holds one Provider per Flux type; each renders with `herald replay --dry-run`.
@Suite("examples/providers: one example per provider type, rendered offline")
struct ProviderExamplesTests {
    static let examples = HeraldProcess.repositoryRoot.appendingPathComponent("examples/providers")
    static let events = HeraldProcess.repositoryRoot.appendingPathComponent("examples/events.jsonl").path

    /// The change-request comment types only receive events that name a pull request.
    static let changeRequestEvents = HeraldProcess.repositoryRoot.appendingPathComponent("examples/providers/change-request-events.jsonl")
        .path

    @Test("every provider type has an example, and replay --dry-run renders it or names it unsupported", arguments: ProviderType.allCases)
    func example(_ type: ProviderType) async throws {
        let file = Self.examples.appendingPathComponent("\(type.rawValue).yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("  type: \(type.rawValue)\n"))
        let events = type.isChangeRequest ? Self.changeRequestEvents : Self.events
        #expect(text.contains("--events \(events.dropFirst(HeraldProcess.repositoryRoot.path.count + 1))`"))
        let result = try await HeraldProcess.run(["replay", "--dry-run", "--manifests", file.path, "--events", events])
        // Placeholder credentials in the examples all contain "replace"; none may be printed.
        #expect(!result.stdout.contains("replace"), "\(result.stdout)")
        #expect(!result.stderr.contains("replace"), "\(result.stderr)")
        if NotifierFactory.supportedTypes.contains(type) {
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let lines = result.stdout.split(separator: "\n").filter { $0.contains("\"type\":\"\(type.rawValue)\"") }
            #expect(!lines.isEmpty, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        } else {
            #expect(result.status == 1)
            #expect(result.stderr.contains("provider type \(type.rawValue) is not supported yet"), "\(result.stderr)")
        }
    }

    @Test("the README's provider table has a row per type, and its proxy and TLS columns match the registry")
    func readmeTable() throws {
        let readme = try String(contentsOf: HeraldProcess.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var rows: [String: [String]] = [:]
        for line in readme.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 6 else { continue }
            rows[cells[1].trimmingCharacters(in: ["`"])] = Array(cells[1...])
        }
        for type in ProviderType.allCases {
            let row = try #require(rows[type.rawValue], "README has no row for \(type.rawValue)")
            let honours = ProviderRegistry.entries[type]?.honours ?? []
            #expect((row[2] == "yes") == honours.contains(.proxy), "\(type.rawValue) proxy column says \(row[2])")
            #expect((row[3] != "no") == honours.contains(.tls), "\(type.rawValue) TLS column says \(row[3])")
        }
    }
}
