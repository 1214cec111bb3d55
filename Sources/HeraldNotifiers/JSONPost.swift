import HeraldCore
import HeraldJSON

/// The shapes most providers share: a JSON POST, the username fallback, severity colours, metadata in key order.
enum JSONPost {
    /// `POST url` with a JSON body encoded as Go's `encoding/json` does (HTML characters escaped unless told).
    static func request(
        _ url: String, _ body: JSONValue, headers: [HTTPHeaderField] = [], method: String = "POST", escapeHTML: Bool = true
    ) -> OutgoingRequest {
        OutgoingRequest(
            method: method, url: url, headers: [HTTPHeaderField("Content-Type", "application/json")] + headers,
            body: JSONWriter.bytes(body, escapeHTML: escapeHTML))
    }
}

extension Event {
    /// Metadata entries in key order: Flux iterates a Go map (random order); Herald is deterministic.
    var sortedMetadata: [(key: String, value: String)] {
        metadata.keys.sorted().map { ($0, metadata[$0] ?? "") }
    }

    /// The metadata as a JSON object with sorted keys, as Go encodes a `map[string]string`.
    var metadataJSON: JSONValue {
        .object(JSONObject(sortedMetadata.map { ($0.key, JSONValue.string($0.value)) }))
    }

    /// Chat providers' sender name: the Provider's username, else the reporting controller.
    func sender(_ username: String) -> String { username.isEmpty ? reportingController : username }
}
