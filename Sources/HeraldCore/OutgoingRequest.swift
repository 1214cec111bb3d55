import HeraldJSON

/// One HTTP header of an outgoing request; `isSecret` marks values that must never be printed or logged.
public struct HTTPHeaderField: Sendable, Hashable {
    public var name: String
    public var value: String
    public var isSecret: Bool

    public init(_ name: String, _ value: String, isSecret: Bool = false) {
        self.name = name
        self.value = value
        self.isSecret = isSecret
    }
}

/// How a provider's response body decides success beyond the 2xx status.
public enum ResponseCheck: Sendable, Hashable {
    /// Any 2xx status is a success.
    case status
    /// Slack's Web API answers 200 with `{"ok":false,"error":…}` on failure.
    case slackAPI
    /// go-github treats 202 Accepted as an error: the work was only scheduled.
    case githubAPI

    /// The body of a 200 answer this check accepts: what the dry-run's recording transport answers.
    public var acceptedBody: [UInt8] {
        switch self {
        case .status, .githubAPI: []
        case .slackAPI: Array(#"{"ok":true}"#.utf8)
        }
    }

    /// The error text for a 2xx response that is still a failure, or `nil`.
    public func failure(status: Int, body: [UInt8]) -> String? {
        switch self {
        case .status:
            return nil
        case .githubAPI:
            return status == 202 ? "job scheduled on GitHub side; try again later" : nil
        case .slackAPI:
            guard let value = try? JSONParser.parse(body) else { return "Slack responded with a body that is not JSON" }
            if value["ok"]?.boolValue == true { return nil }
            return "Slack responded with error: \(value["error"]?.stringValue ?? "")"
        }
    }
}

/// An HTTP request a notifier wants sent: the pure output of rendering.
public struct OutgoingRequest: Sendable, Hashable {
    public var method: String
    public var url: String
    public var headers: [HTTPHeaderField]
    public var body: [UInt8]
    public var responseCheck: ResponseCheck
    /// The subject a message-bus request publishes on (`nats://` URLs, method `PUB`); `nil` for HTTP.
    public var subject: String?

    public init(
        method: String = "POST", url: String, headers: [HTTPHeaderField] = [], body: [UInt8] = [], responseCheck: ResponseCheck = .status,
        subject: String? = nil
    ) {
        self.method = method
        self.url = url
        self.subject = subject
        self.headers = headers
        self.body = body
        self.responseCheck = responseCheck
    }

    /// The value of the last header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.last { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Sets a header, replacing any with the same name (case-insensitive).
    public mutating func setHeader(_ name: String, _ value: String, isSecret: Bool = false) {
        headers.removeAll { $0.name.lowercased() == name.lowercased() }
        headers.append(HTTPHeaderField(name, value, isSecret: isSecret))
    }
}
