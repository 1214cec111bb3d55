import HeraldCore
import HeraldNotifiers

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The proxies the process environment names for deliveries, read as Go's `http.ProxyFromEnvironment`
/// reads them: Flux's notification-controller honours them, so users configure egress that way.
///
/// `HTTPS_PROXY` serves https addresses and `HTTP_PROXY` http ones (the lower-case names too; the
/// upper-case one wins; `HTTP_PROXY` is ignored when `REQUEST_METHOD` is set, as in a CGI process). A value
/// without a scheme is an http proxy. `NO_PROXY` lists what goes direct: `*`; a domain (`example.com` also
/// covers its subdomains, `.example.com` only them, `*.example.com` likewise); an IP address or a CIDR
/// range; each optionally with a port. `localhost` and loopback addresses always go direct. A Provider's
/// own proxy wins over all of it.
public struct EnvironmentProxy: Sendable, Hashable {
    public var httpProxy: ProxySettings?
    public var httpsProxy: ProxySettings?
    var direct: [DirectRule] = []

    /// No proxy: every delivery goes direct unless its Provider names a proxy.
    public static let none = EnvironmentProxy()

    private init() {}

    /// Reads the variables; a value that is not a usable proxy address is an error naming the variable.
    public init(environment: [String: String]) throws(EnvironmentProxyError) {
        func value(_ names: String...) -> String? { names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty } }
        if environment["REQUEST_METHOD"] == nil, let text = value("HTTP_PROXY", "http_proxy") {
            httpProxy = try Self.proxy(text, variable: "HTTP_PROXY")
        }
        if let text = value("HTTPS_PROXY", "https_proxy") { httpsProxy = try Self.proxy(text, variable: "HTTPS_PROXY") }
        direct = (value("NO_PROXY", "no_proxy") ?? "").split(separator: ",").compactMap { DirectRule(String($0)) }
    }

    /// The proxy for a request to `url`, or nil to go direct.
    public func proxy(for url: String) -> ProxySettings? {
        // The common case, no proxy variable: nothing to parse per request.
        guard httpProxy != nil || httpsProxy != nil else { return nil }
        guard let address = WebAddress(url), let proxy = address.scheme == "https" ? httpsProxy : address.scheme == "http" ? httpProxy : nil
        else { return nil }
        var host = address.host.lowercased()
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = address.port ?? (address.scheme == "https" ? 443 : 80)
        if host == "localhost" { return nil }
        let ip = IPAddress(host)
        if ip?.isLoopback == true { return nil }
        return direct.contains { $0.matches(host: host, port: port, ip: ip) } ? nil : proxy
    }

    private static func proxy(_ text: String, variable: String) throws(EnvironmentProxyError) -> ProxySettings {
        let absolute = text.contains("://") ? text : "http://" + text
        let proxy: ProxySettings
        do throws(ProviderError) {
            proxy = try ProviderSettings.proxy(from: absolute, username: nil, password: nil)
        } catch {
            throw EnvironmentProxyError(variable: variable, reason: "\(error)")
        }
        guard proxy.scheme == "http" || proxy.scheme == "socks5" else {
            throw EnvironmentProxyError(variable: variable, reason: "\(proxy.scheme):// proxies are not supported yet; use http or socks5")
        }
        return proxy
    }
}

/// A proxy variable that cannot be used; the value is not repeated, since it may carry a password.
public struct EnvironmentProxyError: Error, Sendable, CustomStringConvertible {
    public let variable: String
    public let reason: String

    public var description: String { "\(variable): \(reason)" }
}

/// One `NO_PROXY` entry, with Go's matching rules.
enum DirectRule: Sendable, Hashable {
    case everything
    case network(IPAddress, prefixLength: Int)
    case address(IPAddress, port: Int?)
    /// `suffix` starts with a dot; `includesItself`: the entry had no leading dot, so the domain matches too.
    case domain(suffix: String, port: Int?, includesItself: Bool)

    init?(_ entry: String) {
        let text = entry.trimmingWhitespace.lowercased()
        guard !text.isEmpty else { return nil }
        if text == "*" {
            self = .everything
            return
        }
        if let slash = text.firstIndex(of: "/") {
            guard let ip = IPAddress(String(text[..<slash])), let length = Int(text[text.index(after: slash)...]),
                (0...ip.bytes.count * 8).contains(length)
            else { return nil }
            self = .network(ip, prefixLength: length)
            return
        }
        var host = text
        var port: Int?
        if let (splitHost, splitPort) = Self.splitHostPort(text) {
            guard !splitHost.isEmpty else { return nil }
            host = splitHost
            port = splitPort
        }
        if let ip = IPAddress(host) {
            self = .address(ip, port: port)
            return
        }
        if host.hasPrefix("*.") { host.removeFirst() }
        let includesItself = !host.hasPrefix(".")
        self = .domain(suffix: includesItself ? "." + host : host, port: port, includesItself: includesItself)
    }

    func matches(host: String, port: Int, ip: IPAddress?) -> Bool {
        switch self {
        case .everything:
            return true
        case .network(let network, let length):
            return ip.map { network.contains($0, prefixLength: length) } ?? false
        case .address(let address, let rulePort):
            return ip == address && (rulePort == nil || rulePort == port)
        case .domain(let suffix, let rulePort, let includesItself):
            guard host.hasSuffix(suffix) || (includesItself && host == suffix.dropFirst()) else { return false }
            return rulePort == nil || rulePort == port
        }
    }

    /// `host:port` or `[v6]:port`, as Go's `net.SplitHostPort`; nil when there is no port.
    private static func splitHostPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            return nil  // a bare IPv6 address, not host:port
        }
        return (host, port)
    }
}

/// An IPv4 or IPv6 address as its bytes, parsed by the C library.
struct IPAddress: Sendable, Hashable {
    let bytes: [UInt8]

    init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let raw = withUnsafeBytes(of: &v6) { Array($0) }
        // An IPv4-mapped IPv6 address is the IPv4 address, as Go's net.IP compares them.
        bytes = raw.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] ? Array(raw.suffix(4)) : raw
    }

    var isLoopback: Bool { bytes.count == 4 ? bytes[0] == 127 : bytes == [UInt8](repeating: 0, count: 15) + [1] }

    func contains(_ other: IPAddress, prefixLength: Int) -> Bool {
        guard other.bytes.count == bytes.count else { return false }
        var remaining = prefixLength
        for index in bytes.indices where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if bytes[index] & mask != other.bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }
}
