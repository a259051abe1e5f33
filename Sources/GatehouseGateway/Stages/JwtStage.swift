import Foundation
import GatehouseCore
import JWTKit
import NIOCore

/// The authorize stage of a method guarded by a JWT authorizer (the self-hosted Cognito): the token from the
/// identity source (`Bearer ` optional) must be signed by a key of the issuer (RS256, ES256, EdDSA and their
/// kin, verified by jwt-kit), name the issuer and one of the audiences (`aud`, or `client_id` for access tokens),
/// be within `exp`/`nbf` give or take 60 s, and carry one of the method's scopes when it has any. Missing or
/// invalid → 401 `Unauthorized`; valid without the scope → 403 `Forbidden`. Its claims go on the context for
/// mappings (`context.authorizer.claims.NAME`).
final class JwtStage: GatewayStage {
    let authorizer: Authorizer
    let scopes: [String]
    let keys: JwksCache
    let clock: @Sendable () -> Date
    static let leeway: TimeInterval = 60
    /// Asymmetric algorithms only: a key set never holds the shared secret an HS256 token would need.
    static let algorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]

    init(authorizer: Authorizer, scopes: [String], keys: JwksCache, clock: @escaping @Sendable () -> Date) {
        self.authorizer = authorizer
        self.scopes = scopes
        self.keys = keys
        self.clock = clock
    }

    func handle(_ request: GatewayRequest, context: RequestContext, next: GatewayNext) -> StageResult {
        context.authorizerName = authorizer.name
        context.authorizerType = "JWT"
        guard var token = request.head.headers.first(name: authorizer.identityHeader)?.trimmingCharacters(in: .whitespaces), !token.isEmpty else {
            return .response(context.fail(.unauthorized, detail: "no token in \(authorizer.identityHeader)"))
        }
        if token.count > 7, token.prefix(7).lowercased() == "bearer " { token = String(token.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
        let pending = PendingResponse()
        let loop = context.eventLoop
        let bound = NIOLoopBound((request, context, next, pending), eventLoop: loop)
        let now = clock()
        let verifying = (authorizer: authorizer, scopes: scopes, keys: keys, token: token)
        Task {
            let result = await Self.verify(verifying.token, authorizer: verifying.authorizer, scopes: verifying.scopes, keys: verifying.keys, now: now)
            loop.execute {
                let (request, context, next, pending) = bound.value
                switch result {
                case .success(let claims):
                    context.authorizerClaims = claims
                    context.principalId = claims["sub"]
                    pending.complete(with: next(request, context))
                case .failure(let failure):
                    if case .scope = failure {
                        pending.complete(context.fail(.accessDenied, message: "Forbidden", errorType: "ForbiddenException", detail: failure.description))
                    } else {
                        pending.complete(context.fail(.unauthorized, detail: failure.description))
                    }
                }
            }
        }
        return .pending(pending)
    }

    /// The token's claims (as text) when it holds, or why not.
    static func verify(_ token: String, authorizer: Authorizer, scopes: [String], keys: JwksCache, now: Date) async -> Result<[String: String], JwtFailure> {
        let header: [String: Any]
        do {
            header = try Self.header(of: token)
        } catch {
            return .failure(error)
        }
        guard let alg = header["alg"] as? String, algorithms.contains(alg) else {
            return .failure(.token("the token's algorithm \(header["alg"].map { "\($0)" } ?? "(none)") is not an asymmetric one this gateway accepts"))
        }
        let kid = header["kid"] as? String
        let claims: Claims
        do {
            let set = try await keys.keys(for: authorizer, kid: kid, now: now)
            if let kid, !set.kids.contains(kid) { return .failure(.token("the token's key id '\(kid)' is not in the issuer's key set")) }
            claims = try await set.collection.verify(token, as: Claims.self)
        } catch let failure as JwtFailure {
            return .failure(failure)
        } catch {
            return .failure(.token("the token does not verify: \(error)"))
        }
        guard let configuration = authorizer.jwtConfiguration else { return .failure(.token("the authorizer has no jwtConfiguration")) }
        guard claims.string("iss") == configuration.issuer else {
            return .failure(.token("the token's issuer '\(claims.string("iss") ?? "")' is not '\(configuration.issuer)'"))
        }
        let audiences = claims.strings("aud")
        let named = audiences.isEmpty ? claims.strings("client_id") : audiences
        guard named.contains(where: configuration.audience.contains) else {
            return .failure(.token("the token is for \(named.isEmpty ? "no audience" : named.joined(separator: ", ")), not \(configuration.audience.joined(separator: " or "))"))
        }
        guard let exp = claims.number("exp") else { return .failure(.token("the token has no exp")) }
        if now.timeIntervalSince1970 > exp + leeway { return .failure(.token("the token expired at \(Date(timeIntervalSince1970: exp))")) }
        if let nbf = claims.number("nbf"), now.timeIntervalSince1970 < nbf - leeway {
            return .failure(.token("the token is not valid before \(Date(timeIntervalSince1970: nbf))"))
        }
        if !scopes.isEmpty {
            let carried = Set((claims.string("scope") ?? "").split(separator: " ").map(String.init) + claims.strings("scp"))
            guard scopes.contains(where: carried.contains) else {
                return .failure(.scope("the token carries none of the method's scopes (\(scopes.joined(separator: " ")))"))
            }
        }
        return .success(claims.asText)
    }

    /// The token's JOSE header, decoded without trusting it.
    static func header(of token: String) throws(JwtFailure) -> [String: Any] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .token("the token is not a JWS (three dot-separated parts)") }
        var text = String(parts[0]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        guard let data = Data(base64Encoded: text), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .token("the token's header is not base64url JSON")
        }
        return object
    }
}

/// Every claim of a token, whatever its shape; the gateway checks them against its own clock after jwt-kit has
/// checked the signature.
struct Claims: JWTPayload {
    var values: [String: ClaimValue]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var values: [String: ClaimValue] = [:]
        for key in container.allKeys { values[key.stringValue] = try container.decode(ClaimValue.self, forKey: key) }
        self.values = values
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (name, value) in values { try container.encode(value, forKey: Key(stringValue: name)) }
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}

    func string(_ name: String) -> String? {
        if case .string(let text) = values[name] { return text }
        return nil
    }

    func strings(_ name: String) -> [String] {
        switch values[name] {
        case .string(let text): return [text]
        case .array(let items): return items.compactMap { if case .string(let text) = $0 { return text } else { return nil } }
        default: return []
        }
    }

    func number(_ name: String) -> Double? {
        if case .number(let value) = values[name] { return value }
        return nil
    }

    /// Claims as mappings read them: strings as they are, others as JSON text.
    var asText: [String: String] { values.mapValues(\.text) }
}

/// A claim's value, any JSON.
indirect enum ClaimValue: Codable, Sendable {
    case string(String), number(Double), bool(Bool), array([ClaimValue]), object([String: ClaimValue]), null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([ClaimValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: ClaimValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    var text: String {
        switch self {
        case .string(let value): return value
        case .number(let value): return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .bool(let value): return String(value)
        case .null: return ""
        case .array, .object:
            let data = (try? JSONEncoder().encode(self)) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }
}
