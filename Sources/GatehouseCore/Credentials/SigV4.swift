import Foundation

/// Signature Version 4 as AWS verifies it for `execute-api`: reads the signature from the `Authorization`
/// header or a presigned URL's query, and builds the canonical request and the string to sign exactly as
/// botocore's `SigV4Auth` does, so a signed boto3 or `aws` call verifies here. Pure: the HMACs are the
/// caller's (it has the secret and the crypto library).
public enum SigV4 {
    public static let algorithm = "AWS4-HMAC-SHA256"
    public static let service = "execute-api"
    /// How far a signed request's time may be from ours.
    public static let allowedSkew: TimeInterval = 300
    /// The longest a presigned URL may stay valid (seven days, as AWS).
    public static let maxExpires = 604_800
    /// The SHA-256 of nothing, the payload hash of a request without a body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// What a request's signature says about itself.
    public struct Signature: Sendable, Equatable {
        public var accessKeyId: String
        /// `yyyyMMdd`, from the credential scope.
        public var scopeDate: String
        public var region: String
        public var service: String
        /// Lower-case names, in the order given.
        public var signedHeaders: [String]
        public var signature: String
        /// `yyyyMMdd'T'HHmmss'Z'`, from `X-Amz-Date` (or `Date`).
        public var timestamp: String
        /// Seconds a presigned URL stays valid; nil for the header form.
        public var expires: Int?
        /// The payload hash the client declared (`X-Amz-Content-SHA256`), if it did.
        public var declaredPayloadHash: String?

        public init(accessKeyId: String, scopeDate: String, region: String, service: String, signedHeaders: [String], signature: String,
                    timestamp: String, expires: Int? = nil, declaredPayloadHash: String? = nil) {
            self.accessKeyId = accessKeyId
            self.scopeDate = scopeDate
            self.region = region
            self.service = service
            self.signedHeaders = signedHeaders
            self.signature = signature
            self.timestamp = timestamp
            self.expires = expires
            self.declaredPayloadHash = declaredPayloadHash
        }

        public var isPresigned: Bool { expires != nil }

        /// `yyyyMMdd/region/service/aws4_request`.
        public var credentialScope: String { "\(scopeDate)/\(region)/\(service)/aws4_request" }
    }

    /// Why a request's signature was refused, with AWS's `x-amzn-ErrorType` and message.
    public enum Failure: Error, Equatable, Sendable {
        /// Neither an `Authorization` header nor a presigned query: AWS's `Missing Authentication Token`.
        case missing
        /// The signature's parts are incomplete or malformed.
        case incomplete(String)
        case wrongScope(String)
        case expired(String)
        case unknownKey
        case mismatch(canonicalRequest: String, stringToSign: String)
        case notAuthorized(user: String, resource: String)

        public var errorType: String {
            switch self {
            case .missing: return "MissingAuthenticationTokenException"
            case .incomplete: return "IncompleteSignatureException"
            case .wrongScope, .expired, .mismatch: return "InvalidSignatureException"
            case .unknownKey: return "UnrecognizedClientException"
            case .notAuthorized: return "AccessDeniedException"
            }
        }

        public var message: String {
            switch self {
            case .missing: return "Missing Authentication Token"
            case .incomplete(let why), .wrongScope(let why), .expired(let why): return why
            case .unknownKey: return "The security token included in the request is invalid."
            case .mismatch(let canonical, let stringToSign):
                return "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key "
                    + "and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'"
                    + canonical + "'\n\nThe String-to-Sign should have been\n'" + stringToSign + "'\n"
            case .notAuthorized(let user, let resource):
                return "User: \(user) is not authorized to perform: execute-api:Invoke on resource: \(resource)"
            }
        }
    }

    // MARK: reading the signature

    /// The signature of a request, from its `Authorization` header or its query (presigned); `.missing` when it
    /// has neither. `header(name)` answers a header's first value, case-insensitively.
    public static func signature(authorization: String?, query: String?, header: (String) -> String?) throws(Failure) -> Signature {
        if let authorization, authorization.hasPrefix("AWS4-") {
            return try fromAuthorization(authorization, header: header)
        }
        if let query, query.contains("X-Amz-Signature=") || query.contains("X-Amz-Algorithm=") {
            return try fromQuery(query)
        }
        throw .missing
    }

    static func fromAuthorization(_ value: String, header: (String) -> String?) throws(Failure) -> Signature {
        let space = value.firstIndex(of: " ") ?? value.endIndex
        let algorithm = String(value[..<space])
        guard algorithm == Self.algorithm else {
            throw .incomplete("Unsupported signature algorithm \(algorithm); use \(Self.algorithm). Authorization=\(value)")
        }
        var fields: [String: String] = [:]
        for part in value[space...].split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let equals = trimmed.firstIndex(of: "=") else { continue }
            fields[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...])
        }
        var missing: [String] = []
        for name in ["Credential", "Signature", "SignedHeaders"] where fields[name] == nil {
            missing.append("Authorization header requires '\(name)' parameter.")
        }
        let timestamp = header("x-amz-date") ?? header("date").flatMap(amzTimestamp(fromHTTPDate:))
        if timestamp == nil { missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.") }
        guard missing.isEmpty, let credential = fields["Credential"], let signature = fields["Signature"],
              let signed = fields["SignedHeaders"], let timestamp else {
            throw .incomplete(missing.joined(separator: " ") + " Authorization=\(value)")
        }
        let scope = try credentialScope(credential)
        return Signature(accessKeyId: scope.key, scopeDate: scope.date, region: scope.region, service: scope.service,
                         signedHeaders: signed.split(separator: ";").map { $0.lowercased() }, signature: signature,
                         timestamp: timestamp, expires: nil, declaredPayloadHash: header("x-amz-content-sha256"))
    }

    static func fromQuery(_ query: String) throws(Failure) -> Signature {
        var fields: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let (key, value) = split(pair)
            if key.hasPrefix("X-Amz-") { fields[percentDecoded(key)] = percentDecoded(value) }
        }
        var missing: [String] = []
        for name in ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date", "X-Amz-Expires"]
        where fields[name] == nil {
            missing.append("AWS query-string parameters must include '\(name)'.")
        }
        guard missing.isEmpty, let algorithm = fields["X-Amz-Algorithm"], let credential = fields["X-Amz-Credential"],
              let signature = fields["X-Amz-Signature"], let signed = fields["X-Amz-SignedHeaders"], let timestamp = fields["X-Amz-Date"],
              let expiresText = fields["X-Amz-Expires"] else {
            throw .incomplete(missing.joined(separator: " ") + " Re-examine the query-string parameters.")
        }
        guard algorithm == Self.algorithm else { throw .incomplete("Unsupported X-Amz-Algorithm \(algorithm); use \(Self.algorithm).") }
        guard let expires = Int(expiresText), expires >= 0, expires <= maxExpires else {
            throw .incomplete("X-Amz-Expires must be a number of seconds from 0 to \(maxExpires), not '\(expiresText)'.")
        }
        let scope = try credentialScope(credential)
        return Signature(accessKeyId: scope.key, scopeDate: scope.date, region: scope.region, service: scope.service,
                         signedHeaders: signed.split(separator: ";").map { $0.lowercased() }, signature: signature,
                         timestamp: timestamp, expires: expires, declaredPayloadHash: nil)
    }

    /// `AKID/20261128/us-east-1/execute-api/aws4_request`.
    static func credentialScope(_ credential: String) throws(Failure) -> (key: String, date: String, region: String, service: String) {
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[4] == "aws4_request", parts[1].count == 8, !parts[0].isEmpty else {
            throw .incomplete("Credential should be of the form ACCESS_KEY/yyyyMMdd/REGION/SERVICE/aws4_request, not '\(credential)'.")
        }
        return (parts[0], parts[1], parts[2], parts[3])
    }

    // MARK: checking time and scope

    /// Refuses a signature whose scope is not this gateway's or whose time is too far from `now`.
    public static func checkScopeAndTime(_ signature: Signature, region: String, service expected: String = service, now: Date) throws(Failure) {
        if signature.service != expected {
            throw .wrongScope("Credential should be scoped to correct service: '\(expected)'. ")
        }
        if signature.region != region {
            throw .wrongScope("Credential should be scoped to a valid region, not '\(signature.region)'. This gateway's region is '\(region)'.")
        }
        guard let signed = date(fromAmzTimestamp: signature.timestamp) else {
            throw .incomplete("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\", not '\(signature.timestamp)'.")
        }
        if !signature.timestamp.hasPrefix(signature.scopeDate) {
            throw .wrongScope("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                              + "'\(signature.scopeDate)' != '\(signature.timestamp.prefix(8))', from '\(signature.timestamp)'.")
        }
        if let expires = signature.expires {
            if now > signed.addingTimeInterval(TimeInterval(expires)) {
                throw .expired("Signature expired: \(signature.timestamp) is now earlier than "
                               + "\(amzTimestamp(now.addingTimeInterval(-TimeInterval(expires)))) (\(amzTimestamp(now)) - \(expires) sec.)")
            }
            if signed > now.addingTimeInterval(allowedSkew) {
                throw .expired("Signature not yet current: \(signature.timestamp) is still later than "
                               + "\(amzTimestamp(now.addingTimeInterval(allowedSkew))) (\(amzTimestamp(now)) + 5 min.)")
            }
            return
        }
        if signed < now.addingTimeInterval(-allowedSkew) {
            throw .expired("Signature expired: \(signature.timestamp) is now earlier than "
                           + "\(amzTimestamp(now.addingTimeInterval(-allowedSkew))) (\(amzTimestamp(now)) - 5 min.)")
        }
        if signed > now.addingTimeInterval(allowedSkew) {
            throw .expired("Signature not yet current: \(signature.timestamp) is still later than "
                           + "\(amzTimestamp(now.addingTimeInterval(allowedSkew))) (\(amzTimestamp(now)) + 5 min.)")
        }
    }

    // MARK: the canonical request

    /// The canonical request, as botocore builds it: the verb, the path with dot segments and repeated slashes
    /// removed and every byte outside `A–Z a–z 0–9 - _ . ~ /` percent-encoded (so an encoded path is encoded
    /// twice), the query pairs sorted (a presigned URL's `X-Amz-Signature` left out), the signed headers with
    /// their values trimmed, their names, and the payload hash.
    public static func canonicalRequest(method: String, target: String, headers: [(name: String, value: String)],
                                        signature: Signature, payloadHash: String) throws(Failure) -> String {
        let mark = target.firstIndex(of: "?")
        let path = mark.map { String(target[..<$0]) } ?? target
        let query = mark.map { String(target[target.index(after: $0)...]) } ?? ""
        var lines: [String] = [method.uppercased(), encode(removingDotSegments(path), keeping: pathSafe), canonicalQuery(query)]
        var canonicalHeaders = ""
        for name in signature.signedHeaders {
            let values = headers.filter { $0.name.lowercased() == name }.map { trimAll($0.value) }
            if values.isEmpty {
                throw .incomplete("The request signs the header '\(name)', which the request does not have. SignedHeaders=\(signature.signedHeaders.joined(separator: ";"))")
            }
            canonicalHeaders += name + ":" + values.joined(separator: ",") + "\n"
        }
        if !signature.signedHeaders.contains("host") {
            throw .incomplete("'Host' must be a signed header. SignedHeaders=\(signature.signedHeaders.joined(separator: ";"))")
        }
        lines.append(canonicalHeaders)
        lines.append(signature.signedHeaders.joined(separator: ";"))
        lines.append(payloadHash)
        return lines.joined(separator: "\n")
    }

    /// `AWS4-HMAC-SHA256`, the time, the scope and the hex SHA-256 of the canonical request.
    public static func stringToSign(signature: Signature, canonicalRequestHash: String) -> String {
        [algorithm, signature.timestamp, signature.credentialScope, canonicalRequestHash].joined(separator: "\n")
    }

    /// The query's pairs sorted by name, then value, as botocore sorts them (`a=1&b=2`).
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: false) {
            let (key, value) = split(pair)
            if key == "X-Amz-Signature" { continue }
            pairs.append((String(key), String(value)))
        }
        pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    private static func split(_ pair: Substring) -> (Substring, Substring) {
        guard let equals = pair.firstIndex(of: "=") else { return (pair, "") }
        return (pair[..<equals], pair[pair.index(after: equals)...])
    }

    /// RFC 3986 §5.2.4, and repeated slashes collapsed, as botocore's `normalize_url_path`.
    static func removingDotSegments(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        var output: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) where segment != "." {
            if segment == ".." {
                if !output.isEmpty { output.removeLast() }
            } else {
                output.append(segment)
            }
        }
        var result = "/" + output.joined(separator: "/")
        if path.hasSuffix("/"), !output.isEmpty { result += "/" }
        return result
    }

    private static let pathSafe = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~/".utf8)

    /// Percent-encodes every byte not in `keeping`, upper-case hex (Python's `quote`).
    static func encode(_ text: String, keeping: Set<UInt8>) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if keeping.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    static func percentDecoded(_ text: Substring) -> String {
        String(text).removingPercentEncoding ?? String(text)
    }

    /// Spaces before and after removed and runs of spaces made one (Python's `' '.join(value.split())`).
    static func trimAll(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    // MARK: time

    /// `20261128T101500Z` for `date`.
    public static func amzTimestamp(_ date: Date) -> String {
        let c = Calendar.utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { String(n ?? 0).leftPadded(to: 2) }
        return "\(String(c.year ?? 0).leftPadded(to: 4))\(two(c.month))\(two(c.day))T\(two(c.hour))\(two(c.minute))\(two(c.second))Z"
    }

    /// The date an `X-Amz-Date` names, or nil when it is not `yyyyMMdd'T'HHmmss'Z'`.
    public static func date(fromAmzTimestamp text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(bytes[i] - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8), let hour = number(9..<11),
              let minute = number(11..<13), let second = number(13..<15) else { return nil }
        let components = DateComponents(calendar: Calendar.utc, timeZone: TimeZone(identifier: "UTC"), year: year, month: month, day: day,
                                        hour: hour, minute: minute, second: second)
        guard components.isValidDate, let date = components.date else { return nil }
        return date
    }

    /// An RFC 7231 `Date` header as an `X-Amz-Date` timestamp.
    static func amzTimestamp(fromHTTPDate text: String) -> String? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text).map(amzTimestamp)
    }

    /// The resource ARN a call invokes: `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH`, the path as
    /// called without its leading slash.
    public static func resourceArn(region: String, account: String, apiId: String, stage: String, verb: String, path: String) -> String {
        let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
        return "arn:aws:execute-api:\(region):\(account):\(apiId)/\(stage)/\(verb)/\(trimmed)"
    }

    /// The principal named in a refusal: `arn:aws:iam::ACCOUNT:user/NAME`.
    public static func userArn(account: String, name: String) -> String {
        "arn:aws:iam::\(account):user/\(name)"
    }
}

extension Calendar {
    /// The Gregorian calendar in UTC.
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar
    }()
}

extension String {
    /// Zeros in front up to `width` characters.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
