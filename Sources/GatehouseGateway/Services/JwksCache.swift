import AsyncHTTPClient
import Foundation
import GatehouseCore
import JWTKit
import NIOConcurrencyHelpers
import NIOCore

/// The signing keys of the JWT issuers the worker's authorizers trust, fetched once and kept across
/// configuration versions: the issuer's `/.well-known/openid-configuration` names its `jwks_uri` (or the
/// authorizer gives one). A token signed with a key id the set does not have makes it fetch the set again, at
/// most once a second (`refetchInterval`), so a rotated key is picked up at once and a flood of made-up ids costs
/// the issuer one request a second, not one per call.
public final class JwksCache: Sendable {
    /// One issuer's key set as last fetched.
    struct Keys: Sendable {
        var collection: JWTKeyCollection
        var kids: Set<String>
    }

    private struct Entry {
        var keys: Keys?
        var lastFetch: Date?
    }

    private let client: HTTPClient
    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    let refetchInterval: TimeInterval
    static let fetchTimeout = TimeAmount.seconds(5)

    public init(client: HTTPClient, refetchInterval: TimeInterval = 1) {
        self.client = client
        self.refetchInterval = refetchInterval
    }

    /// Where an authorizer's keys come from (its own `jwksUri`, else its issuer's discovery).
    static func source(of authorizer: Authorizer) -> String {
        authorizer.jwksUri ?? authorizer.jwtConfiguration?.issuer ?? ""
    }

    /// The keys for `authorizer`, fetched if there are none yet, or fetched again if they lack `kid` and the last
    /// fetch is older than the refetch interval.
    func keys(for authorizer: Authorizer, kid: String?, now: Date = Date()) async throws -> Keys {
        let source = Self.source(of: authorizer)
        let entry = entries.withLockedValue { $0[source] }
        if let keys = entry?.keys, kid.map({ keys.kids.contains($0) }) ?? true { return keys }
        if let keys = entry?.keys, let last = entry?.lastFetch, now.timeIntervalSince(last) < refetchInterval { return keys }
        entries.withLockedValue { $0[source, default: Entry()].lastFetch = now }
        let fetched = try await fetch(authorizer)
        entries.withLockedValue { $0[source] = Entry(keys: fetched, lastFetch: now) }
        return fetched
    }

    private func fetch(_ authorizer: Authorizer) async throws -> Keys {
        let jwksUri: String
        if let given = authorizer.jwksUri {
            jwksUri = given
        } else {
            let issuer = authorizer.jwtConfiguration?.issuer ?? ""
            let discovery = (issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer) + "/.well-known/openid-configuration"
            let document = try await get(discovery)
            guard let object = try? JSONSerialization.jsonObject(with: document) as? [String: Any], let uri = object["jwks_uri"] as? String else {
                throw JwtFailure.keys("\(discovery) does not name a jwks_uri")
            }
            if let named = object["issuer"] as? String, named != issuer {
                throw JwtFailure.keys("\(discovery) is for issuer '\(named)', not '\(issuer)'")
            }
            jwksUri = uri
        }
        let body = try await get(jwksUri)
        let jwks: JWKS
        do {
            jwks = try JSONDecoder().decode(JWKS.self, from: body)
        } catch {
            throw JwtFailure.keys("\(jwksUri) is not a JSON Web Key Set: \(error)")
        }
        let collection = JWTKeyCollection()
        var kids: Set<String> = []
        for key in jwks.keys {
            guard let kid = key.keyIdentifier else { continue }
            do {
                try await collection.add(jwk: key)
                kids.insert(kid.string)
            } catch {
                continue  // a key of a kind jwt-kit cannot use is skipped, the others still serve
            }
        }
        return Keys(collection: collection, kids: kids)
    }

    private func get(_ url: String) async throws -> Data {
        let response: HTTPClientResponse
        do {
            response = try await client.execute(HTTPClientRequest(url: url), timeout: Self.fetchTimeout)
        } catch {
            throw JwtFailure.keys("cannot fetch \(url): \(error)")
        }
        guard response.status == .ok else { throw JwtFailure.keys("\(url) answered \(response.status.code)") }
        let body = try await response.body.collect(upTo: 1 << 20)
        return Data(body.readableBytesView)
    }
}

/// Why a JWT was not accepted (the detail goes to the access log; the client sees AWS's `Unauthorized`).
enum JwtFailure: Error, CustomStringConvertible {
    case keys(String)
    case token(String)
    case scope(String)

    var description: String {
        switch self {
        case .keys(let why): return "the issuer's keys could not be read: \(why)"
        case .token(let why): return why
        case .scope(let why): return why
        }
    }
}
