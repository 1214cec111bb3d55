/// An Alert with its inclusion and exclusion regexes compiled once, when the Alert is loaded.
///
/// The reference controller compiled them for every event; Herald compiles per Alert revision.
/// ``GoRegex`` reads Go's syntax and matches in linear time, as Flux's `regexp` does, and a pattern
/// that does not compile behaves as in Flux: an inclusion never matches, an exclusion is ignored.
/// A class, not a struct: the router visits it for every event, and sharing one reference costs a
/// single retain where copying an Alert's many fields cost dozens.
public final class CompiledAlert: @unchecked Sendable {
    // Every stored property is a `let`, and a `GoRegex` is immutable after construction.
    public let alert: Alert
    let inclusions: [GoRegex?]
    let exclusions: [GoRegex?]
    /// One line per pattern that failed to compile, in Flux's words followed by the parser's reason.
    public let warnings: [String]

    /// Compiles the Alert's patterns once; a pattern that does not compile is kept as a warning and,
    /// as in Flux, matches nothing.
    public init(_ alert: Alert) {
        self.alert = alert
        var warnings: [String] = []
        inclusions = alert.inclusionList.map { Self.compile($0, list: "inclusion", warnings: &warnings) }
        exclusions = alert.exclusionList.map { Self.compile($0, list: "exclusion", warnings: &warnings) }
        self.warnings = warnings
    }

    private static func compile(_ pattern: String, list: String, warnings: inout [String]) -> GoRegex? {
        do throws(GoRegexError) {
            return try GoRegex(pattern)
        } catch {
            warnings.append("failed to compile \(list) regex: \(pattern) (\(error.reason))")
            return nil
        }
    }

    public var key: ObjectKey { alert.key }

    /// Inclusion first (at least one must match when the list is non-empty), then exclusion, which wins.
    public func messagePasses(_ message: String) -> Bool {
        var trace = NoMatchTrace()
        return messagePasses(message, trace: &trace)
    }

    func messagePasses<Trace: MatchTracing>(_ message: String, trace: inout Trace) -> Bool {
        if !inclusions.isEmpty {
            var included = false
            for (index, regex) in inclusions.enumerated() {
                let result = Self.test(regex, message)
                trace.record(.inclusion(pattern: alert.inclusionList[index], result))
                if result == .matched {
                    included = true
                    break
                }
            }
            if !included { return false }
        }
        for (index, regex) in exclusions.enumerated() {
            let result = Self.test(regex, message)
            trace.record(.exclusion(pattern: alert.exclusionList[index], result))
            if result == .matched { return false }
        }
        return true
    }

    private static func test(_ regex: GoRegex?, _ message: String) -> PatternResult {
        guard let regex else { return .invalid }
        return regex.matches(message) ? .matched : .notMatched
    }
}
