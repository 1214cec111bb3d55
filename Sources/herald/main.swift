import ArgumentParser
import HeraldAgent

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs an async subcommand; generic so the async `run()` is chosen over `ParsableCommand`'s synchronous one.
func runAsync<Command: AsyncParsableCommand>(_ command: inout Command) async throws {
    try await command.run()
}

// Before any thread or event loop starts: one event loop thread, one malloc arena.
MemoryFootprint.configure()

// Exit statuses: 0 success, 1 a delivery failed or an event line was invalid, 2 bad command line or manifests.
// ArgumentParser's own usage status (64) is mapped to 2 so scripts see one "you called it wrong" code.
do {
    var command = try Herald.parseAsRoot()
    if var asyncCommand = command as? any AsyncParsableCommand {
        try await runAsync(&asyncCommand)
    } else {
        try command.run()
    }
    exit(0)
} catch let exitCode as ExitCode {
    exit(exitCode.rawValue)
} catch {
    let code = Herald.exitCode(for: error)
    let message = Herald.fullMessage(for: error)
    if code == .success {
        print(message)
        exit(0)
    }
    FileOutput.standardError.write(message + "\n")
    exit(2)
}
