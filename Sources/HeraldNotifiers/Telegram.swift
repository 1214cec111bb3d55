import HeraldCore
import HeraldJSON

/// Sends Flux events to a Telegram chat (or forum topic) through the Bot API in MarkdownV2 (reference §4.15).
struct TelegramNotifier: ProviderNotifier {
    static let apiBase = "https://api.telegram.org"

    let url: String
    let chatID: String
    let threadID: String?

    init(settings: ProviderSettings) throws(ProviderError) {
        let channel = settings.provider.channel
        guard !channel.isEmpty else { throw .invalidChannel("empty Telegram channel") }
        guard !settings.token.isEmpty else { throw .missingToken("empty Telegram token") }
        // The address is ignored: the Bot API has one endpoint, and the token is part of its path.
        url = "\(Self.apiBase)/bot\(settings.token)/sendMessage"
        if let colon = channel.firstIndex(of: ":") {
            chatID = String(channel[..<colon])
            threadID = String(channel[channel.index(after: colon)...])
        } else {
            chatID = channel
            threadID = nil
        }
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        let object = event.involvedObject
        let heading = "\(event.isError ? "🚨" : "💫") \(object.kind.lowercased())/\(object.name)/\(object.namespace)"
        var text = "*\(Self.escape(heading))*\n\(Self.escape(event.message))\n"
        for (key, value) in event.sortedMetadata { text += "\\- *\(Self.escape(key))*: \(Self.escape(value))\n" }
        var body = JSONObject()
        body.append("chat_id", .string(chatID))
        if let threadID, !threadID.isEmpty { body.append("message_thread_id", .string(threadID)) }
        body.append("text", .string(text))
        body.append("parse_mode", "MarkdownV2")
        return .send(JSONPost.request(url, .object(body)))
    }

    /// MarkdownV2's reserved characters, each prefixed with a backslash.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            if "\\.-_[]()~>`#+=|{}!*".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
