/// Replaces every credential value in a text with `*****` before the text leaves the process.
///
/// Flux masks only the token; Herald masks every value it took from a Secret (token, password,
/// address, header values, private key), longest first so a value containing another is masked whole.
public struct SecretMasker: Sendable {
    private let secrets: [String]

    /// Values shorter than 4 characters are not masked: they would hide ordinary words.
    public init(_ secrets: [String]) {
        // Very short values would mask ordinary words; no real credential is under 4 characters.
        self.secrets = Array(Set(secrets.filter { $0.count >= 4 })).sorted { $0.count > $1.count }
    }

    /// `text` with every secret value replaced by `*****`, longest first.
    public func mask(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacing(secret, with: "*****")
        }
        return result
    }
}
