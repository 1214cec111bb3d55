import HeraldCore

/// A read that decides whether a write is needed: Flux does not post the same commit status twice.
struct CheckedWrite: DeliveryExchange {
    var read: OutgoingRequest
    var write: OutgoingRequest
    /// Statuses of the read that mean "nothing there yet" rather than a failure (Bitbucket's 404).
    var readAccepts: Set<Int> = []
    /// How a failed read and a failed write are worded, in the provider's SDK's words.
    var readFailure: @Sendable (DeliveryFailure) -> String = { "could not list commit statuses: " + $0.message }
    var writeFailure: @Sendable (DeliveryFailure) -> String = { "could not create commit status: " + $0.message }
    /// Refuses a read answer the provider's client cannot decode (Bitbucket Server's empty 200).
    var validateRead: (@Sendable (ProviderResponse) throws(DeliveryFailure) -> Void)?
    /// Given the read's response, whether the write would repeat what is already there.
    var isDuplicate: @Sendable (_ response: ProviderResponse) -> Bool

    var preview: [OutgoingRequest] { [read, write] }

    func run(in session: any DeliverySession) async throws(DeliveryFailure) -> ExchangeResult {
        let existing: ProviderResponse
        do {
            existing = try await session.send(read, accepting: readAccepts)
            try validateRead?(existing)
        } catch {
            var failure = error
            failure.message = readFailure(error)
            throw failure
        }
        if isDuplicate(existing) { return .duplicate }
        do {
            return .written(status: try await session.send(write).status)
        } catch {
            var failure = error
            failure.message = writeFailure(error)
            throw failure
        }
    }

    /// `401 - Unauthorized`: Go's `%d - %s` with `http.StatusText`, as Bitbucket Server's client words a status.
    static func statusLine(_ failure: DeliveryFailure) -> String {
        guard let status = failure.status else { return failure.message }
        return "\(status) - \(HTTPStatusText.text(status))"
    }
}

/// Go's `http.StatusText` for the statuses an API answers with.
enum HTTPStatusText {
    static func text(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 413: "Request Entity Too Large"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: ""
        }
    }
}
