import Crypto
import Foundation

/// RFC 6238 time-based one-time passwords (HMAC-SHA1, 30-second steps, 6 digits), as every
/// authenticator app implements them. Verification accepts the previous, current and next step
/// and refuses a step already used (replay).
public enum TOTP {
    public static let stepSeconds: Int64 = 30
    public static let digits = 6

    public static func code(secret: [UInt8], step: Int64) -> String {
        var counter = UInt64(step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Data($0) }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret))
        let bytes = Array(mac)
        let offset = Int(bytes[bytes.count - 1] & 0x0f)
        let value =
            (UInt32(bytes[offset] & 0x7f) << 24) | (UInt32(bytes[offset + 1]) << 16) | (UInt32(bytes[offset + 2]) << 8)
            | UInt32(bytes[offset + 3])
        let code = value % 1_000_000
        let text = String(code)
        return String(repeating: "0", count: digits - text.count) + text
    }

    public static func step(at date: Date) -> Int64 { Int64(date.timeIntervalSince1970) / stepSeconds }

    /// The matching step, if `code` is valid within ±1 step of `date` and newer than `lastUsedStep`.
    public static func verify(code: String, secret: [UInt8], at date: Date, lastUsedStep: Int64) -> Int64? {
        let trimmed = code.filter { !$0.isWhitespace }
        guard trimmed.count == digits, trimmed.allSatisfy(\.isNumber) else { return nil }
        let current = step(at: date)
        for candidate in [current - 1, current, current + 1] where candidate > lastUsedStep {
            if Secrets.constantTimeEquals(TOTP.code(secret: secret, step: candidate), trimmed) { return candidate }
        }
        return nil
    }

    /// `otpauth://totp/Culise:user@x.ro?secret=…&issuer=Culise&algorithm=SHA1&digits=6&period=30`.
    public static func provisioningURI(secretBase32: String, account: String, issuer: String = "Culise") -> String {
        let label = "\(issuer):\(account)".addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? account
        return
            "otpauth://totp/\(label)?secret=\(secretBase32)&issuer=\(issuer)&algorithm=SHA1&digits=\(digits)&period=\(stepSeconds)"
    }
}

/// RFC 4648 base32 without padding, the form authenticator apps expect.
public enum Base32 {
    package static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    public static func encode(_ bytes: [UInt8]) -> String {
        var output = ""
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return output
    }

    public static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer = 0
        var bits = 0
        for character in text.uppercased() where character != "=" && !character.isWhitespace {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5) | value
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> (bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return output
    }
}
