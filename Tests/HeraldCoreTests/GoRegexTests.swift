import HeraldCore
import Testing

/// Alert patterns follow Go's `regexp` (RE2): its syntax, its answers, and its linear time.
@Suite("GoRegex: Go's syntax, linear time", .timeLimit(.minutes(1)))
struct GoRegexTests {
    func matches(_ pattern: String, _ text: String) throws -> Bool { try GoRegex(pattern).matches(text) }

    func rejection(_ pattern: String) -> String? {
        do throws(GoRegexError) {
            _ = try GoRegex(pattern)
            return nil
        } catch {
            return error.reason
        }
    }

    // A backtracking engine takes seconds to years on these (issue 21: 7 s and 20 s for the first two);
    // RE2 answers at once. Without linear time this suite runs into its time limit.
    @Test("catastrophic patterns answer in linear time, with Go's answers")
    func catastrophicPatterns() throws {
        #expect(try !matches(#"^(\w+\s?)*$"#, "Health check passed in 5s."))
        #expect(try !matches(#"^(\w+\s?)*$"#, "Reconciliation finished in 1.2s, next run in 10m0s"))
        #expect(try matches(#"^(\w+\s?)*$"#, "Health check passed"))
        let fortyAs = String(repeating: "a", count: 40)
        #expect(try !matches("^(a+)+$", fortyAs + "b"))
        #expect(try matches("^(a+)+$", fortyAs))
        #expect(try !matches("(x+x+)+y", String(repeating: "x", count: 5_000)))
        // A 1 MiB message through a nested pattern: still one pass.
        #expect(try !matches("^(a|aa)*$", String(repeating: "a", count: 1 << 20) + "!"))
    }

    @Test("a tenant's catastrophic exclusion does not hold routing: the Alert decides at once, as Flux would")
    func hostileAlert() {
        let alert = CompiledAlert(TestValues.alert(exclusionList: [#"^(\w+\s?)*$"#, "^(a+)+$"]))
        let messages = [
            "Health check passed in 5s.", "Reconciliation finished in 1.2s, next run in 10m0s", String(repeating: "a", count: 64) + "!",
        ]
        for message in messages {
            #expect(AlertMatcher.match(alert, event: TestValues.kustomization(message: message), labels: NoLabels()) == .matched)
        }
        #expect(AlertMatcher.match(alert, event: TestValues.kustomization(message: "Health check passed"), labels: NoLabels()) == .message)
    }

    @Test("what Go rejects does not compile: backreferences, lookarounds, possessive, counts over 1000, \\C")
    func goRejects() {
        #expect(rejection(#"(a)\1"#) != nil)
        #expect(rejection("(?=a)") != nil)
        #expect(rejection("(?!a)") != nil)
        #expect(rejection("(?<=a)b") != nil)
        #expect(rejection("(?<!a)b") != nil)
        #expect(rejection("a++") != nil)
        #expect(rejection("a*+") != nil)
        #expect(rejection("a{1001}") != nil)
        #expect(rejection(#"\C"#) == "invalid escape sequence: `\\C`")
        #expect(rejection(#"[\C]"#) != nil)
        #expect(rejection("(unclosed") == "missing ): (unclosed")
        #expect(rejection("[z-a]") == "invalid character class range: z-a")
    }

    @Test("what Go accepts compiles: named groups in both spellings, classes, quoting")
    func goAccepts() throws {
        #expect(try matches("(?<rev>[0-9a-f]{7})", "main@sha1:1a2b3c4d"))
        #expect(try matches("(?P<rev>[0-9a-f]{7})", "main@sha1:1a2b3c4d"))
        #expect(try matches("a{1000}", String(repeating: "a", count: 1000)))
        #expect(try matches("[[:alpha:]]+[]]", "abc]"))
        #expect(try matches("[^[:space:]]x", "yx"))
        #expect(try matches(#"\Q(?<n>\C\E"#, "literal (?<n>\\C here"))
        #expect(try !matches(#"\Q(?<n>\E"#, "(?P<n>"))
        #expect(try matches(#"\(\?<x>"#, "(?<x>"))
    }

    @Test("Go's semantics: ASCII \\d and \\b, $ at the end of text only, . without newline, (?i) and (?s)")
    func goSemantics() throws {
        #expect(try !matches(#"\d"#, "٣"))  // ARABIC-INDIC DIGIT THREE: a digit to Swift's Regex, not to Go
        #expect(try matches(#"\d"#, "build 3"))
        #expect(try matches(#"\bé"#, "café"))  // é is no ASCII word character, so Go sees a boundary before it
        #expect(try !matches("passed$", "passed\n"))
        #expect(try matches("(?m)passed$", "passed\nnext"))
        #expect(try !matches("a.b", "a\nb"))
        #expect(try matches("(?s)a.b", "a\nb"))
        #expect(try matches("(?i)HEALTH", "health check"))
        #expect(try matches(#"\pL+"#, "Übersicht"))
    }

    @Test("a pattern beyond the memory budget is refused, not compiled large")
    func memoryBudget() throws {
        #expect(rejection(#"[\pL\pN]{1000}"#) != nil)
        let small = try GoRegex("^(Health|Reconciliation) .*$")
        #expect(small.programSize < 100)
    }
}
