import Crypto
import Foundation

extension SigV4 {
    /// HMAC-SHA256 of the string to sign under the key derived from the secret, date, region and service.
    public static func signature(of stringToSign: String, secret: String, signature: SigV4.Signature) -> String {
        func hmac(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)))
        }
        var key = SymmetricKey(data: Data(("AWS4" + secret).utf8))
        for part in [signature.scopeDate, signature.region, signature.service, "aws4_request"] { key = hmac(key, part) }
        return hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
    }

    public static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Compares every byte whatever the first difference (no timing hint about a signature's prefix).
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }

    /// Checks a signature over a request with the credential's secret: the canonical request is rebuilt, signed
    /// and compared in constant time, and a declared payload hash must be the body's (unless the client left the
    /// payload unsigned). Throws `.mismatch` (with what was signed) or what the canonical request refuses.
    public static func verify(_ signature: Signature, secret: String, method: String, target: String, headers: [(name: String, value: String)],
                              payloadHash: String, bodyHash: String) throws(Failure) {
        let canonical = try canonicalRequest(method: method, target: target, headers: headers, signature: signature, payloadHash: payloadHash)
        let stringToSign = stringToSign(signature: signature, canonicalRequestHash: self.payloadHash(Data(canonical.utf8)))
        let expected = self.signature(of: stringToSign, secret: secret, signature: signature)
        let payloadHolds = payloadHash == unsignedPayload || payloadHash.lowercased() == bodyHash
        guard constantTimeEqual(expected, signature.signature.lowercased()), payloadHolds else {
            throw .mismatch(canonicalRequest: canonical, stringToSign: stringToSign)
        }
    }

    /// The hex SHA-256 of a payload (the canonical request's last line).
    public static func payloadHash<D: DataProtocol>(_ bytes: D) -> String {
        hex(SHA256.hash(data: bytes))
    }
}
