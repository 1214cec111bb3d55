import HeraldCore

/// A Provider ready to render: its notifier, how its requests travel, and what to mask in its errors.
public struct ProviderClient: Sendable {
    public let provider: Provider
    public let notifier: any Notifier
    public let transport: TransportOptions
    /// Credential values that must be replaced by `*****` wherever text leaves the process.
    public let secretValues: [String]
}

/// Maps `Provider.spec.type` to its notifier (the reference's factory).
public enum NotifierFactory {
    /// Provider types Herald renders today; the others fail with ``ProviderError/unsupportedType(_:)``.
    public static let supportedTypes: [ProviderType] = [
        .generic, .genericHMAC, .slack, .discord, .rocket, .msteams, .github, .gitlab,
    ]

    public static func make(provider: Provider, secrets: ProviderSettings.SecretLookup) throws(ProviderError) -> ProviderClient {
        guard supportedTypes.contains(provider.type) else { throw .unsupportedType(provider.type) }
        var settings = try ProviderSettings(provider: provider, secrets: secrets)
        // Per-type transport support (reference §4.0 matrix).
        switch provider.type {
        case .discord:
            settings.transport.tls = nil
        case .gitlab:
            settings.transport.proxy = nil
        case .github:
            settings.transport.proxy = nil
            if let host = try? GitAddress(settings.address).host, WebAddress(host)?.host.lowercased() == "github.com" {
                settings.transport.tls = nil
            }
        default:
            break
        }
        let notifier: any Notifier
        switch provider.type {
        case .generic: notifier = try GenericNotifier(settings: settings)
        case .genericHMAC: notifier = try GenericHMACNotifier(settings: settings)
        case .slack: notifier = try SlackNotifier(settings: settings)
        case .discord: notifier = try DiscordNotifier(settings: settings)
        case .rocket: notifier = try RocketNotifier(settings: settings)
        case .msteams: notifier = try MSTeamsNotifier(settings: settings)
        case .github: notifier = try GitHubNotifier(settings: settings)
        case .gitlab: notifier = try GitLabNotifier(settings: settings)
        default: throw .unsupportedType(provider.type)
        }
        return ProviderClient(
            provider: provider, notifier: notifier, transport: settings.transport, secretValues: settings.secretValues)
    }
}
