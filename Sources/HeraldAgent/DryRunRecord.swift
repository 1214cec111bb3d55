import HeraldCore
import HeraldJSON

/// The JSON line `herald replay --dry-run` prints for one notification.
///
/// The request is shown as it would be sent, except what a Secret provided, so the output can go to a CI
/// log: header values that carry credentials print as `<redacted>`; an address read from a Secret keeps
/// its scheme and host and prints its path and query as `*****` (Slack, Discord and Teams webhooks carry
/// their token there); any other Secret value (a token in a URL, a password, a SAS signature) prints as
/// `*****` wherever it appears. `--show-secrets` shows everything.
///
/// `request` is the last request of the delivery: the write that carries the notification (for commit
/// statuses, the write that would follow the duplicate check). When a delivery takes more than one
/// request, `requests` lists them all in order, reads included.
public enum DryRunRecord {
    public static let redacted = "<redacted>"

    /// One line of `--dry-run` output: the job's Alert, Provider and requests, what a Secret gave masked.
    public static func json(for job: DeliveryJob, requests: [OutgoingRequest], secrets display: SecretDisplay = .masked) -> JSONValue {
        let secrets = display == .shown ? [] : job.client.secretValues
        var record = JSONObject([
            ("alert", .string(job.alert.description)),
            ("provider", .string(job.provider.description)),
            ("type", .string(job.client.provider.type.rawValue)),
            ("request", requests.last.map { json($0, secrets: secrets, display: display) } ?? .null),
        ])
        if requests.count > 1 { record["requests"] = .array(requests.map { json($0, secrets: secrets, display: display) }) }
        return .object(record)
    }

    static func json(_ request: OutgoingRequest, secrets: [String], display: SecretDisplay) -> JSONValue {
        let masker = SecretMasker(secrets)
        var headers = JSONObject()
        for header in request.headers {
            headers[header.name] = .string(header.isSecret && display == .masked ? redacted : masker.mask(header.value))
        }
        let body: JSONValue
        if request.body.isEmpty {
            body = .null
        } else {
            // Masked as text before parsing: `*****` inside a JSON string leaves the document valid.
            let text = masker.mask(String(decoding: request.body, as: UTF8.self))
            if request.header("Content-Type")?.hasPrefix("application/json") == true || request.subject != nil,
                let parsed = try? JSONParser.parse(text)
            {
                body = parsed
            } else {
                body = .string(text)
            }
        }
        var fields: [(String, JSONValue)] = [
            ("method", .string(request.method)),
            ("url", .string(maskedURL(request.url, secrets: secrets, masker: masker))),
        ]
        if let subject = request.subject { fields.append(("subject", .string(masker.mask(subject)))) }
        fields += [("headers", .object(headers)), ("body", body)]
        return .object(JSONObject(fields))
    }

    /// An address from a Secret keeps scheme and host (where the request goes is not the secret; its path
    /// and query are); other Secret values inside the URL are masked whole.
    static func maskedURL(_ url: String, secrets: [String], masker: SecretMasker) -> String {
        var url = url
        for secret in secrets where url.contains(secret) {
            guard let address = WebAddress(secret), address.redacted != secret, address.redacted + "/" != secret else { continue }
            url = url.replacing(secret, with: address.redacted + "/*****")
        }
        return masker.mask(url)
    }
}

/// Whether what Secrets hold is shown in `--dry-run` and `explain` output (`--show-secrets`) or masked.
public enum SecretDisplay: Sendable, Hashable {
    case masked
    case shown
}
