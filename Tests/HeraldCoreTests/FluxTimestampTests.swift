import HeraldCore
import Testing

/// An RFC 3339 input and the second-precision UTC text Flux writes for it.
struct TimestampCase: Sendable, CustomTestStringConvertible {
    let name: String
    let input: String
    let formatted: String
    var testDescription: String { name }
}

@Suite("FluxTimestamp (RFC 3339, second precision, UTC)")
struct FluxTimestampTests {
    static let parsing: [TimestampCase] = [
        TimestampCase(name: "UTC with Z", input: "2022-10-28T07:26:19Z", formatted: "2022-10-28T07:26:19Z"),
        TimestampCase(name: "fraction is truncated, not rounded", input: "2026-08-01T10:00:00.999999Z", formatted: "2026-08-01T10:00:00Z"),
        TimestampCase(name: "MicroTime fraction is truncated", input: "2026-08-01T10:00:05.123456Z", formatted: "2026-08-01T10:00:05Z"),
        TimestampCase(name: "positive offset converts to UTC", input: "2026-08-01T12:00:00+02:00", formatted: "2026-08-01T10:00:00Z"),
        TimestampCase(name: "negative offset crosses midnight", input: "2026-07-31T22:30:00-05:30", formatted: "2026-08-01T04:00:00Z"),
        TimestampCase(name: "offset with a fraction", input: "2026-01-01T00:59:59.5+01:00", formatted: "2025-12-31T23:59:59Z"),
        TimestampCase(name: "leap day", input: "2024-02-29T23:59:59Z", formatted: "2024-02-29T23:59:59Z"),
        TimestampCase(name: "Unix epoch", input: "1970-01-01T00:00:00Z", formatted: "1970-01-01T00:00:00Z"),
        TimestampCase(name: "before the epoch", input: "1969-12-31T23:59:59Z", formatted: "1969-12-31T23:59:59Z"),
        TimestampCase(name: "Go zero time", input: "0001-01-01T00:00:00Z", formatted: "0001-01-01T00:00:00Z"),
        TimestampCase(name: "lower-case t and z", input: "2026-08-01t10:00:00z", formatted: "2026-08-01T10:00:00Z"),
    ]

    @Test("RFC 3339 parses and formats in UTC with second precision", arguments: parsing)
    func parseAndFormat(_ example: TimestampCase) throws {
        let timestamp = try #require(FluxTimestamp(rfc3339: example.input))
        #expect(timestamp.rfc3339 == example.formatted)
        #expect(timestamp.description == example.formatted)
    }

    @Test("seconds since the epoch are counted from 1970-01-01T00:00:00Z")
    func epochSeconds() {
        #expect(FluxTimestamp(rfc3339: "1970-01-01T00:00:00Z")?.secondsSinceEpoch == 0)
        #expect(FluxTimestamp(rfc3339: "2022-10-28T07:26:19Z")?.secondsSinceEpoch == 1_666_941_979)
        #expect(FluxTimestamp(rfc3339: "0001-01-01T00:00:00Z")?.secondsSinceEpoch == -62_135_596_800)
        #expect(FluxTimestamp(secondsSinceEpoch: 1_666_941_979).rfc3339 == "2022-10-28T07:26:19Z")
    }

    @Test("timestamps order by instant, whatever the offset they were written with")
    func ordering() throws {
        let early = try #require(FluxTimestamp(rfc3339: "2026-08-01T11:00:00+02:00"))
        let late = try #require(FluxTimestamp(rfc3339: "2026-08-01T10:00:00Z"))
        #expect(early < late)
        #expect(FluxTimestamp(rfc3339: "2026-08-01T12:00:00+02:00") == late)
    }

    static let invalid = [
        "", "2026-08-01", "2026-08-01T10:00:00", "2026-08-01 10:00", "2026-13-01T10:00:00Z", "2026-08-32T10:00:00Z",
        "2026-08-01T24:00:00Z", "2026-08-01T10:60:00Z", "2026-08-01T10:00:00.Z", "2026-08-01T10:00:00+0200",
        "2026-08-01T10:00:00+02:00x", "20x6-08-01T10:00:00Z", "2026-08-01T10:00:00ZZ",
    ]

    @Test("text that is not RFC 3339 does not parse", arguments: invalid)
    func rejects(_ text: String) {
        #expect(FluxTimestamp(rfc3339: text) == nil)
    }
}

/// A duration string and what it parses to.
struct DurationCase: Sendable, CustomTestStringConvertible {
    let text: String
    let milliseconds: Int64?
    let allowHours: Bool
    var testDescription: String { "\(text) (hours \(allowHours ? "allowed" : "refused"))" }
}

@Suite("GoDuration (CRD duration patterns)")
struct GoDurationTests {
    static let cases: [DurationCase] = [
        DurationCase(text: "15s", milliseconds: 15_000, allowHours: true),
        DurationCase(text: "500ms", milliseconds: 500, allowHours: true),
        DurationCase(text: "1m30s", milliseconds: 90_000, allowHours: true),
        DurationCase(text: "1.5m", milliseconds: 90_000, allowHours: true),
        DurationCase(text: "2h", milliseconds: 7_200_000, allowHours: true),
        DurationCase(text: "1h1m1s1ms", milliseconds: 3_661_001, allowHours: true),
        DurationCase(text: "0s", milliseconds: 0, allowHours: true),
        DurationCase(text: "2h", milliseconds: nil, allowHours: false),
        DurationCase(text: "1m30s", milliseconds: 90_000, allowHours: false),
        DurationCase(text: "", milliseconds: nil, allowHours: true),
        DurationCase(text: "10", milliseconds: nil, allowHours: true),
        DurationCase(text: "1d", milliseconds: nil, allowHours: true),
        DurationCase(text: "-1s", milliseconds: nil, allowHours: true),
        DurationCase(text: ".5s", milliseconds: nil, allowHours: true),
        DurationCase(text: "1.s", milliseconds: nil, allowHours: true),
        DurationCase(text: "1us", milliseconds: nil, allowHours: true),
        DurationCase(text: "1 s", milliseconds: nil, allowHours: true),
    ]

    @Test("durations follow ^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$, h only where allowed", arguments: cases)
    func parse(_ example: DurationCase) {
        #expect(GoDuration.parse(example.text, allowHours: example.allowHours) == example.milliseconds.map { .milliseconds($0) })
    }
}
