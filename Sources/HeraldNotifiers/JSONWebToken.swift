import CryptoExtras
import HeraldJSON

/// RS256 JSON Web Tokens, as GitHub Apps and Google service accounts authenticate with.
enum JSONWebToken {
    /// `base64url(header).base64url(claims).base64url(RSASSA-PKCS1-v1_5 SHA-256 signature)`.
    static func rs256(claims: JSONValue, key: _RSA.Signing.PrivateKey) throws -> String {
        // golang-jwt writes the header from a map: keys sorted.
        let header = Base64.encodeURL(JSONWriter.bytes(["alg": "RS256", "typ": "JWT"]))
        let payload = Base64.encodeURL(JSONWriter.bytes(claims))
        let input = "\(header).\(payload)"
        let signature = try key.signature(for: Array(input.utf8), padding: .insecurePKCS1v1_5)
        return "\(input).\(Base64.encodeURL(Array(signature.rawRepresentation)))"
    }
}
