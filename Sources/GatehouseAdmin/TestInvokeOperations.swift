import Foundation
import GatehouseCore
import GatehouseStore
import Synchronization

/// Runs a call through a method of an API's draft on the worker (the management API's TestInvokeMethod and
/// TestInvokeAuthorizer). The worker provides it; the management API does not know the data plane.
public protocol MethodInvoker: Sendable {
    func invoke(_ request: TestInvokeRequest) throws -> TestInvocation
}

/// What a test invocation runs.
public struct TestInvokeRequest: Sendable {
    public var definition: ApiDefinition
    public var resourcePath: String
    public var verb: String
    public var pathWithQuery: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var stageVariables: [String: String]
    /// As AWS's TestInvokeMethod: without the method's authorizer, key or signature.
    public var skipAuthorization: Bool
}

/// Where the worker's invoker is put once the worker exists (it is made after the management API).
final class InvokerSlot: Sendable {
    private let invoker = Mutex<(any MethodInvoker)?>(nil)

    func set(_ value: any MethodInvoker) { invoker.withLock { $0 = value } }
    var value: (any MethodInvoker)? { invoker.withLock { $0 } }
}

enum TestInvokeOperations {
    static func table(_ slot: InvokerSlot) -> [String: ManagementAPI.Operation] {
        ["TestInvokeMethod": { try invokeMethod($0, slot) }, "TestInvokeAuthorizer": { try invokeAuthorizer($0, slot) }]
    }

    static func invoker(_ slot: InvokerSlot, _ operation: String) throws -> any MethodInvoker {
        guard let invoker = slot.value else { throw ManagementError.unsupported(operation) }
        return invoker
    }

    static func headers(_ call: ManagementCall) -> [(name: String, value: String)] {
        var list = (call.stringMap("headers") ?? [:]).sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        for (name, values) in (call.json["multiValueHeaders"] as? [String: [String]] ?? [:]).sorted(by: { $0.key < $1.key }) {
            for value in values where !list.contains(where: { $0.name == name && $0.value == value }) { list.append((name, value)) }
        }
        return list
    }

    static func invokeMethod(_ call: ManagementCall, _ slot: InvokerSlot) throws -> ManagementAPI.Reply {
        let definition = try RestApiOperations.definition(call)
        let resource = try ResourceOperations.find(definition, call.variable("resource_id"))
        let verb = try ResourceOperations.verb(call)
        guard resource.resourceMethods[verb] != nil else { throw ManagementError.notFound("Invalid Method identifier specified") }
        let result = try invoker(slot, call.operation).invoke(TestInvokeRequest(
            definition: definition, resourcePath: resource.path, verb: verb,
            pathWithQuery: call.string("pathWithQueryString") ?? concretePath(resource.path), headers: headers(call),
            body: Array((call.string("body") ?? "").utf8), stageVariables: call.stringMap("stageVariables") ?? [:], skipAuthorization: true))
        var single: [String: String] = [:], multiple: [String: [String]] = [:]
        for (name, value) in result.headers {
            single[name] = value
            multiple[name, default: []].append(value)
        }
        return .json(ManagementShapes.object([
            ("status", .int(result.status)), ("body", .string(String(decoding: result.body, as: UTF8.self))),
            ("headers", ManagementShapes.strings(single)),
            ("multiValueHeaders", .object(multiple.keys.sorted().map { ($0, ManagementShapes.list(multiple[$0] ?? [])) })),
            ("log", .string(result.log.joined(separator: "\n"))), ("latency", .int(result.latencyMs)),
        ]))
    }

    /// A resource path with its `{parameters}` filled in (what a test call without a path asks for).
    static func concretePath(_ path: String) -> String {
        path.split(separator: "/").map { $0.hasPrefix("{") ? "test" : String($0) }.reduce("") { $0 + "/" + $1 }.ifEmpty("/")
    }

    static func invokeAuthorizer(_ call: ManagementCall, _ slot: InvokerSlot) throws -> ManagementAPI.Reply {
        let definition = try RestApiOperations.definition(call)
        let authorizer = try ContractOperations.findAuthorizer(definition, call.variable("authorizer_id"))
        // A one-method API guarded by the authorizer and answered by a MOCK: what the authorizer decides is the answer.
        var probe = Method(httpMethod: "GET", authorizationType: authorizer.methodAuthorizationType,
                           methodIntegration: .mock())
        probe.authorizerId = authorizer.id
        var restApi = definition.restApi
        restApi.policy = nil
        let synthetic = ApiDefinition(restApi: restApi, resources: [Resource(id: "root", parentId: nil, pathPart: "", path: "/", resourceMethods: ["GET": probe])],
                                      authorizers: definition.authorizers)
        let result = try invoker(slot, call.operation).invoke(TestInvokeRequest(
            definition: synthetic, resourcePath: "/", verb: "GET", pathWithQuery: call.string("pathWithQueryString") ?? "/", headers: headers(call),
            body: Array((call.string("body") ?? "").utf8), stageVariables: call.stringMap("stageVariables") ?? [:], skipAuthorization: false))
        let allowed = result.status == 200
        return .json(ManagementShapes.object([
            ("clientStatus", .int(result.status)), ("log", .string(result.log.joined(separator: "\n"))), ("latency", .int(result.latencyMs)),
            ("principalId", result.principalId.map(DocValue.string)),
            ("authorization", allowed ? .object(result.authorizerContext.keys.sorted().map { ($0, ManagementShapes.list([result.authorizerContext[$0] ?? ""])) }) : nil),
            ("claims", result.authorizerContext.isEmpty ? nil : ManagementShapes.strings(result.authorizerContext)),
        ]))
    }
}

extension String {
    fileprivate func ifEmpty(_ fallback: String) -> String { isEmpty ? fallback : self }
}
