import Crypto
import HeraldJSON

/// An NATS nkey: an Ed25519 key pair written as a base32 seed (`SU…`), used to sign the server's nonce.
struct NATSNKey {
    private let privateKey: Curve25519.Signing.PrivateKey
    /// The public key as the server knows it (`U…`).
    let publicKey: String

    /// Prefix bytes of the nkey encoding (nats-io/nkeys).
    static let seedPrefix: UInt8 = 18 << 3
    static let userPrefix: UInt8 = 20 << 3

    /// Parses a user seed; `nil` for anything that is not one (the text is never repeated: it is a secret).
    init?(seed text: String) {
        guard let raw = Base32.decode(text), raw.count == 36 else { return nil }
        guard raw[0] & 0xF8 == Self.seedPrefix else { return nil }
        let publicPrefix = ((raw[0] & 0x07) << 5) | ((raw[1] & 0xF8) >> 3)
        guard publicPrefix == Self.userPrefix else { return nil }
        let checksum = UInt16(raw[34]) | (UInt16(raw[35]) << 8)
        guard CRC16.xmodem(raw[0..<34]) == checksum else { return nil }
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw[2..<34]) else { return nil }
        privateKey = key
        var encoded = [Self.userPrefix] + Array(key.publicKey.rawRepresentation)
        let crc = CRC16.xmodem(encoded[...])
        encoded += [UInt8(crc & 0xFF), UInt8(crc >> 8)]
        publicKey = Base32.encode(encoded)
    }

    /// The nonce's Ed25519 signature, base64url without padding, as the CONNECT `sig` field wants.
    func sign(nonce: String) throws -> String {
        let signature = try privateKey.signature(for: Array(nonce.utf8))
        return Base64.encodeURL(Array(signature))
    }
}

/// RFC 4648 base32 without padding, the alphabet nkeys use.
enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                output.append(alphabet[Int((buffer >> UInt32(bits)) & 0x1F)])
            }
        }
        if bits > 0 { output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 0x1F)]) }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.utf8 {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                output.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return output
    }
}

/// CRC-16/XMODEM, the checksum at the end of every nkey.
enum CRC16 {
    static func xmodem(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        }
        return crc
    }
}
