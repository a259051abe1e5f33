import Foundation
import GatehouseCore
import GatehouseStore

/// Amazon API Gateway's management API (REST APIs, version 1) over the store, so the `aws` CLI, boto3 and
/// Terraform drive Gatehouse: each request is matched to its operation in the `apigateway` model, its
/// Signature Version 4 (service `apigateway`) checked against the store's credentials, and the operation run
/// as one short store transaction, audited under the credential's name. Errors have AWS's shape.
public final class ManagementAPI: Sendable {
    let store: Store
    let region: String
    let account: String
    /// `serve --admin-insecure-no-auth`: no signature is asked for (local experiments only).
    let insecureNoAuth: Bool
    let clock: @Sendable () -> Date
    let router = ManagementRouter()
    /// The worker's runner of test invocations, once the worker exists.
    let invokers = InvokerSlot()
    let operations: [String: Operation]

    public init(store: Store, region: String, account: String, insecureNoAuth: Bool = false, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.region = region
        self.account = account
        self.insecureNoAuth = insecureNoAuth
        self.clock = clock
        operations = Self.staticOperations.merging(TestInvokeOperations.table(invokers)) { $1 }
    }

    /// Gives the management API the worker that runs TestInvokeMethod and TestInvokeAuthorizer.
    public func setInvoker(_ invoker: any MethodInvoker) {
        invokers.set(invoker)
    }

    /// What the management API answers: a status, headers and a body.
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
    }

    /// What an operation answers: JSON (with the operation's success status unless given), nothing, or a document.
    enum Reply {
        case json(DocValue)
        case jsonStatus(Int, DocValue)
        case empty
        case document([UInt8], contentType: String)
    }

    typealias Operation = @Sendable (ManagementCall) throws -> Reply

    /// Whether a path belongs to the management API (the admin listener's other paths are `/metrics` and `/healthz`).
    public func owns(path: String) -> Bool {
        let first = path.split(separator: "/").first.map(String.init) ?? ""
        return Self.roots.contains(first)
    }

    static let roots: Set<String> = Set(ManagementRoute.model.compactMap { route in
        if case .literal(let root)? = route.segments.first { return root }
        return nil
    })

    /// Answers one request. Blocking (it reads and writes the store): call it off an event loop.
    public func respond(method: String, uri: String, headers: [(name: String, value: String)], body: [UInt8]) -> Answer {
        let requestId = UUID().uuidString.lowercased()
        let mark = uri.firstIndex(of: "?")
        let path = mark.map { String(uri[..<$0]) } ?? uri
        let rawQuery = mark.map { String(uri[uri.index(after: $0)...]) } ?? ""
        let pairs = QueryString.pairs(rawQuery).map { ($0.name, $0.value) }
        var query: [String: String] = [:]
        for (name, value) in pairs { query[name] = value }
        let segments = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        do {
            guard let (route, variables) = router.route(method: method.uppercased(), segments: segments, query: query) else {
                throw ManagementError(status: 404, type: "UnknownOperationException",
                                      message: "No operation of the API Gateway management API is \(method.uppercased()) \(path)")
            }
            let actor = try authenticate(method: method, uri: uri, path: path, headers: headers, body: body, operation: route.name)
            guard let operation = operations[route.name] else { throw ManagementError.unsupported(route.name) }
            let call = try ManagementCall(operation: route.name, variables: variables, query: query, queryPairs: pairs, headers: headers, body: body,
                                          actor: actor, store: store, parsesBody: !Self.documentBodies.contains(route.name))
            switch try operation(call) {
            case .json(let value): return answer(route.status, value, requestId: requestId)
            case .jsonStatus(let status, let value): return answer(status, value, requestId: requestId)
            case .empty: return Answer(status: route.status, headers: [("x-amzn-RequestId", requestId)], body: [])
            case .document(let bytes, let type):
                return Answer(status: route.status, headers: [("Content-Type", type), ("x-amzn-RequestId", requestId)], body: bytes)
            }
        } catch {
            let failure = ManagementError.from(error)
            return Answer(status: failure.status,
                          headers: [("Content-Type", "application/json"), ("x-amzn-ErrorType", failure.type), ("x-amzn-RequestId", requestId)],
                          body: Array(ManagementShapes.object([("message", .string(failure.message))]).json().utf8))
        }
    }

    private func answer(_ status: Int, _ value: DocValue, requestId: String) -> Answer {
        Answer(status: status, headers: [("Content-Type", "application/json"), ("x-amzn-RequestId", requestId)], body: Array(value.json().utf8))
    }

    /// Operations whose body is a document (an OpenAPI file), not a JSON object of members.
    static let documentBodies: Set<String> = ["ImportRestApi", "PutRestApi", "ImportDocumentationParts", "ImportApiKeys"]

    /// Every operation Gatehouse runs, by the model's name.
    static let staticOperations: [String: Operation] = {
        var table: [String: Operation] = [:]
        table.merge(RestApiOperations.table) { $1 }
        table.merge(ResourceOperations.table) { $1 }
        table.merge(StageOperations.table) { $1 }
        table.merge(KeyOperations.table) { $1 }
        table.merge(ContractOperations.table) { $1 }
        table.merge(DomainOperations.table) { $1 }
        return table
    }()

    /// The names of the operations Gatehouse runs, for README and the tests.
    public static var supportedOperations: [String] { (Array(staticOperations.keys) + ["TestInvokeMethod", "TestInvokeAuthorizer"]).sorted() }
}
