import Crypto
import HeraldCore
import HeraldJSON

/// Sends Flux events to a Matrix room; the transaction id is the event's hash, so a repeat is idempotent (reference §4.17).
struct MatrixNotifier: ProviderNotifier {
    let homeserver: String
    let roomID: String
    let token: String

    init(settings: ProviderSettings) throws(ProviderError) {
        homeserver = try settings.webhookAddress().text
        roomID = settings.provider.channel
        token = settings.token
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        var text = "\(event.isError ? "🚨" : "💫") \(EventText.objectName(event))\n\(event.message)\n"
        for (key, value) in event.sortedMetadata { text += "- \(key): \(value)\n" }
        let transactionID = Self.transactionID(for: event)
        // Joined as Flux joins it, by plain concatenation: the room id is not escaped.
        let url = "\(homeserver)/_matrix/client/r0/rooms/\(roomID)/send/m.room.message/\(transactionID)"
        return .send(
            JSONPost.request(
                url, ["body": .string(text), "msgtype": "m.text"],
                headers: [HTTPHeaderField("Authorization", token.isEmpty ? "Bearer" : "Bearer \(token)", isSecret: !token.isEmpty)],
                method: "PUT"))
    }

    /// Lower-case hex SHA-1 of the event's JSON: the same event twice is one message.
    static func transactionID(for event: Event) -> String {
        Insecure.SHA1.hash(data: event.jsonBytes).hexString
    }
}
