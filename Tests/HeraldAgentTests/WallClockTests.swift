import HeraldCore
import Testing

@testable import HeraldAgent

/// The one wall clock: every time of day Herald writes is derived from one reading of it.
@Suite("Wall clock")
struct WallClockTests {
    // 2025-11-24T16:00:00Z plus a quarter second: exact in a Double, so the fractions below are exact too.
    static let clock = WallClock { 1_764_000_000.25 }

    @Test("a reading splits into whole seconds and nanoseconds")
    func reading() {
        let reading = Self.clock.reading
        #expect(reading.seconds == 1_764_000_000)
        #expect(reading.nanoseconds == 250_000_000)
        #expect(Self.clock.timestamp == FluxTimestamp(secondsSinceEpoch: 1_764_000_000))
    }

    @Test("metav1.MicroTime keeps six fraction digits, zero-padded")
    func microTime() {
        #expect(Self.clock.microTime == "2025-11-24T16:00:00.250000Z")
        #expect(WallClock { 1_764_000_000.0 }.microTime == "2025-11-24T16:00:00.000000Z")
        #expect(WallClock { 1_764_000_000.5 + 1.0 / 64 }.microTime == "2025-11-24T16:00:00.515625Z")
    }

    @Test("a clock read as integers keeps every microsecond")
    func exactReading() {
        let clock = WallClock(reading: { (1_764_000_000, 123_456_789) })
        #expect(clock.microTime == "2025-11-24T16:00:00.123456Z")
        #expect(clock.reading.nanoseconds == 123_456_789)
        #expect(clock.now == 1_764_000_000.123456789)
    }

    @Test("the JSON log handler stamps lines from its injected clock, to the millisecond")
    func logStamp() {
        let handler = JSONLogHandler(label: "test", clock: WallClock { 1_764_000_000.0 + 1.0 / 32 })
        let record = JSONLogHandler.record(level: .info, message: "m", metadata: [:], now: handler.now())
        #expect(record["ts"]?.stringValue == "2025-11-24T16:00:00.031Z")
    }

    @Test("the system clock reads the present (after this code was written, before 2100)")
    func system() {
        let now = WallClock.system.reading
        #expect(now.seconds > 1_764_000_000 && now.seconds < 4_102_444_800)
        #expect((0..<1_000_000_000).contains(now.nanoseconds))
    }
}
