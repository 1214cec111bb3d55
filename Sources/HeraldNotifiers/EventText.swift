import HeraldCore

/// The text helpers Flux's notifiers share (reference §4.0).
enum EventText {
    /// `lowercase(kind)/name.namespace`, the title chat providers use.
    static func objectName(_ event: Event) -> String {
        "\(event.involvedObject.kind.lowercased())/\(event.involvedObject.name).\(event.involvedObject.namespace)"
    }

    /// The message up to its first newline.
    static func firstLine(_ message: String) -> String {
        String(message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }

    /// `lowercase(Kind/name)` and the reason split into lower-case words (`HealthCheckFailed` → `health check failed`).
    static func nameAndDescription(_ event: Event) -> (name: String, description: String) {
        let name = "\(event.involvedObject.kind)/\(event.involvedObject.name)".lowercased()
        return (name, camelCaseWords(event.reason).joined(separator: " ").lowercased())
    }

    private enum CharacterClass { case lower, upper, digit, other }

    private static func characterClass(_ character: Character) -> CharacterClass {
        if character.isLowercase { return .lower }
        if character.isUppercase { return .upper }
        if character.isNumber { return .digit }
        return .other
    }

    /// fatih/camelcase: runs of one character class; an upper-case run followed by a lower-case run
    /// gives its last letter to the lower-case run (`PDFLoader` → `PDF`, `Loader`).
    static func camelCaseWords(_ text: String) -> [String] {
        var runs: [[Character]] = []
        var lastClass: CharacterClass?
        for character in text {
            let current = characterClass(character)
            if current == lastClass, !runs.isEmpty {
                runs[runs.count - 1].append(character)
            } else {
                runs.append([character])
            }
            lastClass = current
        }
        var index = 0
        while index + 1 < runs.count {
            if let first = runs[index].first, let next = runs[index + 1].first, first.isUppercase, next.isLowercase,
                let moved = runs[index].popLast()
            {
                runs[index + 1].insert(moved, at: 0)
            }
            index += 1
        }
        return runs.filter { !$0.isEmpty }.map { String($0) }
    }
}
