import HeraldCore
import HeraldJSON
import Logging

/// One JSON object per line on standard error: `ts`, `level`, `msg`, then the metadata, sorted.
///
/// The shape log pipelines expect from Kubernetes components (Flux logs JSON by default); written with
/// Herald's own JSON writer, so logging pulls in no formatter and no ICU.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let output: FileOutput
    let clock: WallClock

    public init(label: String, output: FileOutput = .standardError, clock: WallClock = .system) {
        self.label = label
        self.output = output
        self.clock = clock
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        output.write(
            JSONWriter.string(Self.record(level: event.level, message: "\(event.message)", metadata: merged, now: now())) + "\n")
    }

    /// The JSON object for one log line; exposed for tests.
    public static func record(
        level: Logger.Level, message: String, metadata: Logger.Metadata, now: (seconds: Int64, millis: Int)
    ) -> JSONValue {
        var object = JSONObject()
        let stamp = FluxTimestamp(secondsSinceEpoch: now.seconds).rfc3339
        let millis = String(now.millis)
        object.append("ts", .string(stamp.dropLast() + "." + String(repeating: "0", count: 3 - millis.count) + millis + "Z"))
        object.append("level", .string(level.rawValue))
        object.append("msg", .string(message))
        for key in metadata.keys.sorted() where key != "ts" && key != "level" && key != "msg" {
            if let value = metadata[key] { object.append(key, json(value)) }
        }
        return .object(object)
    }

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let items): .array(items.map(json))
        case .dictionary(let map): .object(JSONObject(map.keys.sorted().map { ($0, json(map[$0] ?? .string(""))) }))
        }
    }

    func now() -> (seconds: Int64, millis: Int) {
        let reading = clock.reading
        return (reading.seconds, reading.nanoseconds / 1_000_000)
    }
}
