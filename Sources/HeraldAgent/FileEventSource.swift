import HeraldCore
import HeraldJSON
import Logging

/// Events from a JSON-lines file or standard input (`herald replay --events`), fed to the processor in
/// line order; a line that is not an event is logged with its number and observed as invalid.
struct FileEventSource: EventInput {
    let reader: LineReader
    let filter: EventFilter
    let observer: any PipelineObserver
    let tally: ReplayTally
    let logger: Logger

    var origin: InputOrigin { .file }

    /// Reads to the end of the input; only a read error of the input itself throws.
    func feed(_ processor: EventProcessor) async throws(InputError) {
        do {
            try await reader.forEachLine { line in
                tally.lineRead()
                guard let decoded = decode(line) else { return }
                _ = await processor.processInTurn(decoded, origin: origin, line: line.number)
            }
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(description: "\(error)")
        }
    }

    /// The line's event, or `nil` for a blank line or one that is not an event (reported).
    private func decode(_ line: InputLine) -> DecodedEvent? {
        if line.tooLong {
            invalid("line \(line.number): longer than \(reader.maximumLineBytes) bytes; skipped")
            return nil
        }
        if LineSplitter.isBlank(line.bytes) { return nil }
        do {
            return try EventDecoder.decode(try JSONParser.parse(line.bytes), filter: filter)
        } catch let error as JSONParseError {
            invalid("line \(line.number): \(error)")
        } catch {
            invalid("line \(line.number): invalid event: \(error)")
        }
        return nil
    }

    private func invalid(_ message: String) {
        observer.observeInvalidInput(origin: .file)
        logger.error("\(message)")
    }
}
