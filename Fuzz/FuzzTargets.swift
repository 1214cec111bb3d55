// Fuzz targets for every parser of untrusted bytes Herald owns, built with libFuzzer by
// scripts/fuzz.sh (-sanitize=fuzzer,address, -parse-as-library, -DHERALD_LIBFUZZER). The target is chosen
// with HERALD_FUZZ_TARGET: json, yaml, event, ingest, cel, regex. Each checks an invariant besides "does
// not crash": a parsed JSON value writes and re-reads to itself; every refusal is a bounded message.
//
// Built the ordinary way (swift build), this is a corpus runner: `herald-fuzz TARGET FILE...` runs each
// file through the target once, so a crash found by the fuzzer becomes a reproducible command.
import HeraldCore
import HeraldJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The targets, by name.
enum FuzzTarget: String, CaseIterable {
    case json, yaml, event, ingest, cel, regex

    func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        switch self {
        case .json: fuzzJSON(bytes)
        case .yaml: fuzzYAML(bytes)
        case .event: fuzzEvent(bytes)
        case .ingest: fuzzIngest(bytes)
        case .cel: fuzzCEL(bytes)
        case .regex: fuzzRegex(bytes)
        }
    }
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    guard !condition else { return }
    printError("fuzz invariant broken: \(message())")
    abort()
}

/// A line on standard error (file descriptor 2: C's `stderr` is shared mutable state to Swift 6).
func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

/// JSON: whatever parses writes back to bytes that parse to the same value.
func fuzzJSON(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let value = try? JSONParser.parse(bytes) else { return }
    let written = JSONWriter.bytes(value)
    let again = try? JSONParser.parse(written)
    check(again == value, "JSON round trip changed the value")
}

/// YAML: libyaml plus Herald's conversion; anchors and aliases included.
func fuzzYAML(_ bytes: UnsafeBufferPointer<UInt8>) {
    let text = String(decoding: bytes, as: UTF8.self)
    do {
        let documents = try YAMLDocuments.parse(text)
        for document in documents { _ = JSONWriter.bytes(document) }
    } catch {
        check(error.description.utf8.count < 4096, "YAML error message unbounded")
    }
}

/// The Event decoder, as replay reads a line: Flux events, both Kubernetes Event APIs, watch lines.
func fuzzEvent(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let value = try? JSONParser.parse(bytes) else { return }
    do {
        _ = try EventDecoder.decode(value, filter: EventFilter())
        _ = try EventDecoder.decodeKubernetesEvent(value, api: .eventsV1, watchType: .added, filter: EventFilter())
    } catch {
        check(!error.reason.isEmpty, "decoding error without a reason")
    }
}

/// The event endpoint's own part of a request: a body read with the endpoint's value bound, then
/// decoded as a Flux event. (The HTTP framing is SwiftNIO's, fuzzed upstream.)
func fuzzIngest(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard bytes.count <= 3 << 20, let value = try? JSONParser.parse(bytes, maximumValues: 10_000) else { return }
    guard case .object(let object) = value else { return }
    _ = try? EventDecoder.decodeFlux(object)
}

/// The CEL subset of `commitStatusExpr`: parse, then evaluate against a fixed event.
func fuzzCEL(_ bytes: UnsafeBufferPointer<UInt8>) {
    let source = String(decoding: bytes, as: UTF8.self)
    do {
        let expression = try CommitStatusExpression(source)
        let event: JSONValue = [
            "involvedObject": ["kind": "Kustomization", "name": "podinfo", "namespace": "apps"], "reason": "Progressing",
            "metadata": ["revision": "main@sha1:abc"],
        ]
        _ = try expression.evaluate(event: event, alert: ["metadata": ["name": "a"]], provider: ["metadata": ["name": "p"]])
    } catch {
        check(error.description.utf8.count < 4096, "CEL error message unbounded")
    }
}

/// Alert patterns: the first line is a pattern, the rest a message; Go's syntax and RE2's bounds.
func fuzzRegex(_ bytes: UnsafeBufferPointer<UInt8>) {
    let text = String(decoding: bytes, as: UTF8.self)
    let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
    guard let pattern = parts.first else { return }
    guard let regex = try? GoRegex(String(pattern)) else { return }
    _ = regex.matches(parts.count > 1 ? String(parts[1]) : "")
}

#if HERALD_LIBFUZZER
    let selected: FuzzTarget = {
        let name = getenv("HERALD_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            printError("set HERALD_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
            exit(2)
        }
        return target
    }()

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
        selected.run(UnsafeBufferPointer(start: data, count: size))
        return 0
    }

    public typealias Arguments = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?

    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<Arguments>,
        _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
    ) -> CInt

    /// SwiftPM links an executable's entry point as `<module>_main`; here it hands over to libFuzzer.
    @_cdecl("herald_fuzz_main")
    public func fuzzMain(_ argc: CInt, _ argv: Arguments) -> CInt {
        var count = argc
        var values = argv
        return runFuzzerDriver(&count, &values, fuzzOneInput)
    }
#else
    /// Replays files through a target: a crash the fuzzer found becomes a reproducible command.
    @main
    enum CorpusRunner {
        static func main() {
            let arguments = CommandLine.arguments.dropFirst()
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
                printError("usage: herald-fuzz TARGET FILE... (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
                exit(2)
            }
            for path in arguments.dropFirst() {
                guard let file = fopen(path, "rb") else {
                    printError("cannot open \(path)")
                    exit(2)
                }
                var bytes: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 65536)
                while case let count = fread(&buffer, 1, buffer.count, file), count > 0 { bytes += buffer.prefix(count) }
                fclose(file)
                bytes.withUnsafeBufferPointer { target.run($0) }
                print("\(path): ok")
            }
        }
    }
#endif
