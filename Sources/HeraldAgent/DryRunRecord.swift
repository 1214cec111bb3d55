import HeraldCore
import HeraldJSON

/// The JSON line `herald replay --dry-run` prints for one notification.
///
/// The request is shown as it would be sent, except header values that carry credentials, which print
/// as `<redacted>`, and credentials inside a URL (Telegram's bot token), which print as `*****`. `request` is the last request of the delivery: the write that carries the
/// notification (for commit statuses, the write that would follow the duplicate check). When a
/// delivery takes more than one request, `requests` lists them all in order, reads included.
public enum DryRunRecord {
    public static let redacted = "<redacted>"

    /// One line of `--dry-run` output: the job's Alert, Provider and requests, secret headers redacted.
    public static func json(for job: DeliveryJob, requests: [OutgoingRequest]) -> JSONValue {
        var record = JSONObject([
            ("alert", .string(job.alert.description)),
            ("provider", .string(job.provider.description)),
            ("type", .string(job.client.provider.type.rawValue)),
            ("request", requests.last.map { json($0, secrets: job.client.secretValues) } ?? .null),
        ])
        if requests.count > 1 { record["requests"] = .array(requests.map { json($0, secrets: job.client.secretValues) }) }
        return .object(record)
    }

    static func json(_ request: OutgoingRequest, secrets: [String]) -> JSONValue {
        var headers = JSONObject()
        for header in request.headers { headers[header.name] = .string(header.isSecret ? redacted : header.value) }
        let body: JSONValue
        if request.body.isEmpty {
            body = .null
        } else if request.header("Content-Type")?.hasPrefix("application/json") == true || request.subject != nil,
            let parsed = try? JSONParser.parse(request.body)
        {
            body = parsed
        } else {
            body = .string(String(decoding: request.body, as: UTF8.self))
        }
        // The webhook address itself is shown even when it came from a Secret, as it always was;
        // credentials inside an address (Telegram's bot token) are not.
        var fields: [(String, JSONValue)] = [
            ("method", .string(request.method)),
            ("url", .string(SecretMasker(secrets.filter { $0 != request.url }).mask(request.url))),
        ]
        if let subject = request.subject { fields.append(("subject", .string(subject))) }
        fields += [("headers", .object(headers)), ("body", body)]
        return .object(JSONObject(fields))
    }
}
