import HeraldCore

/// A Provider ready to render: its notifier, how its requests travel, and what to mask in its errors.
public struct ProviderClient: Sendable {
    public let provider: Provider
    public let notifier: any Notifier
    public let transport: TransportOptions
    /// Credential values that must be replaced by `*****` wherever text leaves the process.
    public let secretValues: [String]
}

/// Builds a Provider's client from the registry (reference §4.0).
public enum NotifierFactory {
    /// Provider types Herald renders today; the others fail with ``ProviderError/unsupportedType(_:)``.
    public static var supportedTypes: [ProviderType] {
        ProviderType.allCases.filter { ProviderRegistry.entries[$0] != nil }
    }

    /// Validates `provider` with its Secrets applied and builds its client, or says why it cannot be
    /// built in Flux's words (the Provider's `Ready` condition shows the reason).
    public static func make(provider: Provider, secrets: ProviderSettings.SecretLookup) throws(ProviderError) -> ProviderClient {
        guard let entry = ProviderRegistry.entries[provider.type] else { throw .unsupportedType(provider.type) }
        var settings = try ProviderSettings(provider: provider, secrets: secrets)
        entry.restrictTransport(&settings)
        let (notifier, transport) = try entry.make(settings)
        return ProviderClient(
            provider: provider, notifier: notifier, transport: transport,
            secretValues: settings.secretValues + settings.secret.exposedValues)
    }
}
