import HeraldJSON

/// A failure as the Kubernetes API reports it: the fields of a `Status` object (`code`, `reason`,
/// `message`, `details`). The fake's HTTP side answers with `status`; its test-side methods throw
/// it, so a test sees the same `AlreadyExists`/`NotFound`/`Conflict` a client would.
public struct FakeKubeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status code, e.g. 409.
    public let code: Int
    /// The machine-readable `StatusReason`, e.g. `Conflict`.
    public let reason: String
    /// The human-readable message, worded like the apiserver's.
    public let message: String
    /// `StatusDetails` (`name`, `group`, `kind`, `causes`, `retryAfterSeconds`), or nil.
    public let details: JSONValue?

    /// A failure with explicit fields.
    public init(code: Int, reason: String, message: String, details: JSONValue? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    /// The `Status` object (`kind: Status`, `apiVersion: v1`, `status: Failure`) the apiserver sends.
    public var status: JSONValue {
        var object = JSONObject()
        object.append("kind", "Status")
        object.append("apiVersion", "v1")
        object.append("metadata", .object(JSONObject()))
        object.append("status", "Failure")
        object.append("message", .string(message))
        object.append("reason", .string(reason))
        if let details { object.append("details", details) }
        object.append("code", .integer(code))
        return .object(object)
    }

    /// `code reason: message`, for test failure output.
    public var description: String {
        "\(code) \(reason): \(message)"
    }
}

extension FakeKubeError {
    private static func details(_ type: FakeResourceType, name: String) -> JSONValue {
        var object = JSONObject()
        object.append("name", .string(name))
        if !type.group.isEmpty { object.append("group", .string(type.group)) }
        object.append("kind", .string(type.resource))
        return .object(object)
    }

    static func notFound(_ type: FakeResourceType, name: String) -> FakeKubeError {
        FakeKubeError(
            code: 404, reason: "NotFound", message: "\(type.qualifiedResource) \"\(name)\" not found",
            details: details(type, name: name))
    }

    static func alreadyExists(_ type: FakeResourceType, name: String) -> FakeKubeError {
        FakeKubeError(
            code: 409, reason: "AlreadyExists", message: "\(type.qualifiedResource) \"\(name)\" already exists",
            details: details(type, name: name))
    }

    /// An optimistic-concurrency failure; `why` defaults to the stale-resourceVersion wording.
    static func conflict(
        _ type: FakeResourceType, name: String,
        why: String = "the object has been modified; please apply your changes to the latest version and try again"
    ) -> FakeKubeError {
        FakeKubeError(
            code: 409, reason: "Conflict", message: "Operation cannot be fulfilled on \(type.qualifiedResource) \"\(name)\": \(why)",
            details: details(type, name: name))
    }

    static func invalid(_ type: FakeResourceType, name: String, field: String, detail: String) -> FakeKubeError {
        let cause: JSONValue = ["reason": "FieldValueRequired", "message": .string("Required value: \(detail)"), "field": .string(field)]
        var object = JSONObject()
        object.append("name", .string(name))
        if !type.group.isEmpty { object.append("group", .string(type.group)) }
        object.append("kind", .string(type.kind))
        object.append("causes", [cause])
        return FakeKubeError(
            code: 422, reason: "Invalid", message: "\(type.kind) \"\(name)\" is invalid: \(field): Required value: \(detail)",
            details: .object(object))
    }

    static func expired(_ message: String) -> FakeKubeError {
        FakeKubeError(code: 410, reason: "Expired", message: message)
    }

    static func tooOldResourceVersion(_ requested: String, oldest: String) -> FakeKubeError {
        expired("too old resource version: \(requested) (\(oldest))")
    }

    static func badRequest(_ message: String) -> FakeKubeError {
        FakeKubeError(code: 400, reason: "BadRequest", message: message)
    }

    static let resourceNotFound = FakeKubeError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")

    static let methodNotAllowed = FakeKubeError(
        code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource")

    static let unauthorized = FakeKubeError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    static func unsupportedMediaType(accepted: [String]) -> FakeKubeError {
        FakeKubeError(
            code: 415, reason: "UnsupportedMediaType",
            message: "the body of the request was in an unknown format - accepted media types include: \(accepted.joined(separator: ", "))")
    }

    static func notAcceptable(_ accept: String) -> FakeKubeError {
        FakeKubeError(
            code: 406, reason: "NotAcceptable",
            message: "only the following media types are accepted: application/json (requested: \(accept))")
    }

    /// What `failNextRequests` answers: the reason and message the apiserver uses for `code`.
    static func injected(code: Int, retryAfterSeconds: Int?) -> FakeKubeError {
        let (reason, message): (String, String) =
            switch code {
            case 400: ("BadRequest", "injected failure")
            case 401: ("Unauthorized", "Unauthorized")
            case 403: ("Forbidden", "forbidden: injected failure")
            case 404: ("NotFound", "the server could not find the requested resource")
            case 405: ("MethodNotAllowed", "the server does not allow this method on the requested resource")
            case 409: ("Conflict", "Operation cannot be fulfilled: injected failure")
            case 410: ("Expired", "too old resource version: injected failure")
            case 413: ("RequestEntityTooLarge", "Request entity too large")
            case 415: ("UnsupportedMediaType", "injected failure")
            case 422: ("Invalid", "injected failure")
            case 429: ("TooManyRequests", "Too many requests, please try again later.")
            case 500: ("InternalError", "Internal error occurred: injected failure")
            case 503: ("ServiceUnavailable", "the server is currently unable to handle the request")
            case 504:
                ("Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request")
            default: ("", "injected failure")
            }
        let details: JSONValue? = retryAfterSeconds.map { ["retryAfterSeconds": .integer($0)] }
        return FakeKubeError(code: code, reason: reason, message: message, details: details)
    }
}
