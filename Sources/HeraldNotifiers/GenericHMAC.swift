import Crypto
import HeraldCore

/// `generic` plus `X-Signature: sha256=<hex HMAC-SHA256 of the body>`, keyed by the Secret's `token`.
struct GenericHMACNotifier: ProviderNotifier {
    let generic: GenericNotifier
    let key: SymmetricKey

    init(settings: ProviderSettings) throws(ProviderError) {
        generic = try GenericNotifier(settings: settings)
        guard !settings.token.isEmpty else { throw .emptyHMACKey }
        key = SymmetricKey(data: Array(settings.token.utf8))
    }

    func plan(for event: Event, context: RenderContext) throws(ProviderError) -> DeliveryPlan {
        var request = generic.request(for: event)
        // Set after the custom headers, so a custom X-Signature cannot replace the real one.
        request.setHeader("X-Signature", "sha256=" + Self.signature(of: request.body, key: key))
        return .send(request)
    }

    static func signature(of body: [UInt8], key: SymmetricKey) -> String {
        HMAC<SHA256>.authenticationCode(for: body, using: key).map { byte in
            (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }
}
