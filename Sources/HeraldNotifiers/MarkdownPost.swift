import HeraldCore

/// The Markdown message Zulip and the change-request comment providers share (reference §4.0).
enum MarkdownPost {
    static func text(for event: Event) -> String {
        let object = event.involvedObject
        var text = "## Flux Status\n\n\(event.isError ? "⚠️" : "ℹ️") \(object.kind)/\(object.namespace)/\(object.name)\n\n"
        text += "\(event.message)\n\nMetadata:\n"
        for (key, value) in event.sortedMetadata where key != "change_request" { text += "* `\(key)`: \(value)\n" }
        return text
    }
}
