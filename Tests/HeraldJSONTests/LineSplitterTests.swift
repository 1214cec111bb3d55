import HeraldJSON
import Testing

/// The one line splitter behind watch streams and replay input.
@Suite("Line splitter")
struct LineSplitterTests {
    static func text(_ line: LineSplitter.Line) -> String {
        switch line {
        case .bytes(let bytes): String(decoding: bytes, as: UTF8.self)
        case .oversized(let size): "<oversized \(size)>"
        }
    }

    @Test("lines are split across chunks; an oversized line is reported with its full length and skipped")
    func acrossChunks() {
        var splitter = LineSplitter(maximum: 10)
        var lines: [LineSplitter.Line] = []
        lines += splitter.feed(Array(#"{"a":"#.utf8))
        lines += splitter.feed(Array("1}\n0123456789ABCDEF".utf8))
        lines += splitter.feed(Array("GH\n{}\n".utf8))
        if let last = splitter.finish() { lines.append(last) }
        #expect(lines.map(Self.text) == [#"{"a":1}"#, "<oversized 18>", "{}"])
    }

    @Test("a line of exactly the maximum fits; one byte more does not, even when it ends in the same chunk")
    func boundary() {
        var splitter = LineSplitter(maximum: 4)
        #expect(splitter.feed(Array("abcd\nabcde\n".utf8)).map(Self.text) == ["abcd", "<oversized 5>"])
        // Split so the first part fits and the line only overflows once the rest arrives.
        #expect(splitter.feed(Array("abc".utf8)).isEmpty)
        #expect(splitter.feed(Array("de\nxy\n".utf8)).map(Self.text) == ["<oversized 5>", "xy"])
    }

    @Test("blank lines are reported (a file's line numbers count them); isBlank tells them apart")
    func blankLines() {
        var splitter = LineSplitter(maximum: 100)
        let lines = splitter.feed(Array("a\n\n \r\nb\n".utf8))
        #expect(lines.map(Self.text) == ["a", "", " \r", "b"])
        #expect(
            lines.map { line in if case .bytes(let bytes) = line { LineSplitter.isBlank(bytes) } else { false } } == [
                false, true, true, false,
            ])
    }

    @Test("the end of the stream yields an unterminated last line, an oversized one, or nothing")
    func finish() {
        var splitter = LineSplitter(maximum: 3)
        #expect(splitter.feed(Array("ok\nlast".utf8)).map(Self.text) == ["ok"])
        #expect(splitter.finish().map(Self.text) == "<oversized 4>")
        _ = splitter.feed(Array("end".utf8))
        #expect(splitter.finish().map(Self.text) == "end")
        _ = splitter.feed(Array("done\n".utf8))
        #expect(splitter.finish() == nil)
    }

    @Test("an oversized line is measured across many chunks, and the line after it is intact")
    func oversizedAcrossChunks() {
        var splitter = LineSplitter(maximum: 1024)
        let megabyte = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<8 { #expect(splitter.feed(megabyte).isEmpty) }
        #expect(splitter.feed(Array("\n{}\n".utf8)).map(Self.text) == ["<oversized \(8 << 20)>", "{}"])
    }
}
