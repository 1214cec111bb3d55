import ArgumentParser
import HeraldAgent

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process environment as a dictionary, for the kubeconfig rules (`KUBECONFIG`, the in-cluster
/// variables) and the delivery proxies (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`).
enum ProcessEnvironment {
    static var current: [String: String] {
        var environment: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") { environment[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
            pointer += 1
        }
        return environment
    }

    /// The delivery transport, with the proxies the environment names; a bad proxy variable ends the
    /// command with exit status 2 and the variable's name (never its value, which may hold a password).
    static func providerTransport() throws -> ProviderTransport {
        do {
            return ProviderTransport(http: HTTPTransport(environmentProxy: try EnvironmentProxy(environment: current)))
        } catch {
            FileOutput.standardError.write("herald: \(error)\n")
            throw ExitCode(2)
        }
    }
}
