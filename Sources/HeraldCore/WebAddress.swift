/// A parsed `scheme://[user[:password]@]host[:port]/path?query#fragment` URL.
///
/// Only what Herald needs: validating provider addresses, joining paths, and printing an address without
/// its credentials (a Slack or Discord webhook path is itself a secret).
public struct WebAddress: Sendable, Hashable {
    public var scheme: String
    public var userInfo: String?
    public var host: String
    public var port: Int?
    public var path: String
    public var query: String?
    public var fragment: String?

    /// Parses an absolute URL; `nil` when there is no scheme or no host.
    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":"), text[colon...].hasPrefix("://") else { return nil }
        let scheme = String(text[..<colon]).lowercased()
        guard !scheme.isEmpty, scheme.allSatisfy(Self.isSchemeCharacter) else { return nil }
        var rest = text[text.index(colon, offsetBy: 3)...]
        var fragment: String?
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        var query: String?
        if let question = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: question)...])
            rest = rest[..<question]
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        let path = String(rest[authorityEnd...])
        var userInfo: String?
        if let at = authority.lastIndex(of: "@") {
            userInfo = String(authority[..<at])
            authority = authority[authority.index(after: at)...]
        }
        var host = String(authority)
        var port: Int?
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            let portText = authority[authority.index(after: colon)...]
            guard let value = Int(portText), (0...65535).contains(value) else {
                if !portText.isEmpty { return nil }
                host = String(authority[..<colon])
                self.init(scheme: scheme, userInfo: userInfo, host: host, port: nil, path: path, query: query, fragment: fragment)
                return
            }
            port = value
            host = String(authority[..<colon])
        }
        guard !host.isEmpty else { return nil }
        self.init(scheme: scheme, userInfo: userInfo, host: host, port: port, path: path, query: query, fragment: fragment)
    }

    private static func isSchemeCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "+" || character == "-" || character == "."
    }

    public init(
        scheme: String, userInfo: String? = nil, host: String, port: Int? = nil, path: String = "", query: String? = nil,
        fragment: String? = nil
    ) {
        self.scheme = scheme
        self.userInfo = userInfo
        self.host = host
        self.port = port
        self.path = path
        self.query = query
        self.fragment = fragment
    }

    /// Whether the scheme is `http` or `https`, the only ones Herald can send to.
    public var isHTTP: Bool { scheme == "http" || scheme == "https" }

    /// `host[:port]`.
    public var hostAndPort: String { port.map { "\(host):\($0)" } ?? host }

    public var text: String {
        var result = "\(scheme)://"
        if let userInfo { result += userInfo + "@" }
        result += hostAndPort + path
        if let query { result += "?" + query }
        if let fragment { result += "#" + fragment }
        return result
    }

    /// `scheme://host[:port]`: safe to log, since paths, queries and user info can carry credentials.
    public var redacted: String { "\(scheme)://\(hostAndPort)" }

    /// Logs an address without credentials, or a placeholder when it does not parse.
    public static func redact(_ text: String) -> String { WebAddress(text)?.redacted ?? "<unparsable address>" }
}

/// Go's `url.PathEscape` for one path segment: RFC 3986 unreserved characters stay, everything else is %XX.
public func pathEscape(_ segment: String) -> String {
    var result = ""
    for byte in segment.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: "$"), UInt8(ascii: "&"),
            UInt8(ascii: "+"), UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "@"):
            result.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            result += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
        }
    }
    return result
}

/// Go's `url.QueryEscape`: like ``pathEscape(_:)`` but space becomes `+` and `$&+=:@` are escaped.
public func queryEscape(_ value: String) -> String {
    var result = ""
    for byte in value.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            result.unicodeScalars.append(Unicode.Scalar(byte))
        case UInt8(ascii: " "):
            result += "+"
        default:
            result += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
        }
    }
    return result
}
