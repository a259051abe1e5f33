import AsyncHTTPClient
import Foundation
import GatehouseCore
import NIOConcurrencyHelpers
import NIOCore

/// What custom authorizers share across a worker: the HTTP client that calls them and their answers, kept per
/// authorizer and identity for the authorizer's TTL (AWS's authorizer cache). The cache is bounded; expired
/// answers are dropped as new ones come.
public final class CustomAuthorizers: Sendable {
    let client: HTTPClient
    private let answers = NIOLockedValueBox<[String: (output: AuthorizerOutput, expires: NIODeadline)]>([:])
    let capacity: Int
    static let timeout = TimeAmount.seconds(10)

    public init(client: HTTPClient, capacity: Int = 10_000) {
        self.client = client
        self.capacity = capacity
    }

    func cached(_ key: String, now: NIODeadline = .now()) -> AuthorizerOutput? {
        answers.withLockedValue { answers in
            guard let entry = answers[key] else { return nil }
            if entry.expires <= now {
                answers[key] = nil
                return nil
            }
            return entry.output
        }
    }

    func keep(_ output: AuthorizerOutput, for key: String, ttl: Int, now: NIODeadline = .now()) {
        guard ttl > 0 else { return }
        answers.withLockedValue { answers in
            if answers.count >= capacity {
                answers = answers.filter { $0.value.expires > now }
                if answers.count >= capacity, let first = answers.keys.first { answers[first] = nil }
            }
            answers[key] = (output, now + .seconds(Int64(ttl)))
        }
    }

    /// Drops every kept answer (AWS's FlushStageAuthorizersCache).
    public func flush() {
        answers.withLockedValue { $0.removeAll() }
    }
}
