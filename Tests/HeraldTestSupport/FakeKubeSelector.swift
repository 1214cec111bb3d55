import HeraldJSON

/// A label or field selector in the apiserver's query syntax, applied to lists and watches.
///
/// Labels: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`, comma-separated and
/// ANDed, with Kubernetes semantics (`!=` and `notin` also match objects without the label).
/// Fields: `path=value`, `path==value`, `path!=value` on any dotted path (`metadata.name`,
/// `involvedObject.kind`); the real apiserver allows only a per-type list of fields.
struct FakeKubeSelector: Sendable {
    enum Requirement: Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)
    }

    let requirements: [Requirement]
    let isFieldSelector: Bool

    /// Matches everything.
    static let everything = FakeKubeSelector(requirements: [], isFieldSelector: false)

    static func labels(_ text: String?) throws(FakeKubeError) -> FakeKubeSelector {
        guard let text, !text.allSatisfy(\.isWhitespace) else { return .everything }
        var requirements: [Requirement] = []
        for term in splitTerms(text) {
            requirements.append(try labelRequirement(term.trimmingSpaces(), selector: text))
        }
        return FakeKubeSelector(requirements: requirements, isFieldSelector: false)
    }

    static func fields(_ text: String?) throws(FakeKubeError) -> FakeKubeSelector {
        guard let text, !text.allSatisfy(\.isWhitespace) else { return .everything }
        var requirements: [Requirement] = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let term = String(raw).trimmingSpaces()
            if let (key, value) = term.splitOnce("!=") {
                requirements.append(.notEquals(key, value))
            } else if let (key, value) = term.splitOnce("==") ?? term.splitOnce("=") {
                requirements.append(.equals(key, value))
            } else {
                throw .badRequest("invalid field selector: \(text): invalid selector: '\(term)'; can't understand '\(term)'")
            }
        }
        return FakeKubeSelector(requirements: requirements, isFieldSelector: true)
    }

    var isEmpty: Bool { requirements.isEmpty }

    func matches(_ object: JSONValue) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): self.value(key, in: object) == value
            case .notEquals(let key, let value): self.value(key, in: object) != value
            case .isIn(let key, let values): self.value(key, in: object).map(values.contains) ?? false
            case .notIn(let key, let values): !(self.value(key, in: object).map(values.contains) ?? false)
            case .exists(let key): self.value(key, in: object) != nil
            case .doesNotExist(let key): self.value(key, in: object) == nil
            }
        }
    }

    /// A label's value, or a field's value as text (an absent field reads as `""`, as the
    /// apiserver's field sets do for empty fields).
    private func value(_ key: String, in object: JSONValue) -> String? {
        guard isFieldSelector else {
            return object["metadata"]?["labels"]?[key]?.stringValue
        }
        var current: JSONValue? = object
        for component in key.split(separator: ".") { current = current?[String(component)] }
        switch current {
        case .string(let text)?: return text
        case .number(let text)?: return text
        case .bool(let flag)?: return flag ? "true" : "false"
        default: return ""
        }
    }

    /// Splits at commas outside parentheses (`a in (x,y),b` is two terms).
    private static func splitTerms(_ text: String) -> [String] {
        var terms: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(": depth += 1
            case ")": depth -= 1
            case "," where depth == 0:
                terms.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        terms.append(current)
        return terms
    }

    private static func labelRequirement(_ term: String, selector: String) throws(FakeKubeError) -> Requirement {
        let invalid = FakeKubeError.badRequest(
            "unable to parse requirement: found '\(term)', expected: identifier (selector \"\(selector)\")")
        guard !term.isEmpty else { throw invalid }
        if let open = term.firstIndex(of: "("), term.hasSuffix(")") {
            let head = term[..<open].split(whereSeparator: \.isWhitespace).map(String.init)
            let inner = term[term.index(after: open)..<term.index(before: term.endIndex)]
            let values = Set(inner.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty })
            guard head.count == 2, !values.isEmpty else { throw invalid }
            switch head[1] {
            case "in": return .isIn(head[0], values)
            case "notin": return .notIn(head[0], values)
            default: throw invalid
            }
        }
        if term.hasPrefix("!") {
            let key = String(term.dropFirst()).trimmingSpaces()
            guard isLabelKey(key) else { throw invalid }
            return .doesNotExist(key)
        }
        if let (key, value) = term.splitOnce("!=") {
            guard isLabelKey(key) else { throw invalid }
            return .notEquals(key, value)
        }
        if let (key, value) = term.splitOnce("==") ?? term.splitOnce("=") {
            guard isLabelKey(key) else { throw invalid }
            return .equals(key, value)
        }
        guard isLabelKey(term) else { throw invalid }
        return .exists(term)
    }

    private static func isLabelKey(_ key: String) -> Bool {
        !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first?.isWhitespace == true { slice.removeFirst() }
        while slice.last?.isWhitespace == true { slice.removeLast() }
        return String(slice)
    }

    /// Splits at the first occurrence of `separator`, trimming both sides.
    fileprivate func splitOnce(_ separator: String) -> (String, String)? {
        guard let range = firstRange(of: separator) else { return nil }
        return (String(self[..<range.lowerBound]).trimmingSpaces(), String(self[range.upperBound...]).trimmingSpaces())
    }
}
