import Foundation
import GatehouseCore
import NIOCore
import NIOHTTP1

extension Gateway {
    /// Runs one call through a method of an API's draft (not a deployment) on this worker: the chain compiled as
    /// a stage would compile it — with `skipAuthorization`, as AWS's TestInvokeMethod, without the method's
    /// authorizer, key or signature — on an event loop, against the real backend. Blocking: call it off an
    /// event loop (the admin listener runs it on the I/O pool).
    public func testInvoke(definition: ApiDefinition, resourcePath: String, verb: String, pathWithQuery: String,
                           headers: [(name: String, value: String)], body: [UInt8], stageVariables: [String: String],
                           skipAuthorization: Bool = true) throws -> TestInvocation {
        var draft = definition
        guard let index = draft.resources.firstIndex(where: { $0.path == resourcePath }), draft.resources[index].resourceMethods[verb] != nil else {
            throw GatewayError.testInvoke("the API has no method \(verb) \(resourcePath)")
        }
        if skipAuthorization {
            draft.resources[index].resourceMethods[verb]?.authorizationType = "NONE"
            draft.resources[index].resourceMethods[verb]?.authorizerId = nil
            draft.resources[index].resourceMethods[verb]?.apiKeyRequired = false
            draft.restApi.policy = nil
        }
        let stageName = "test-invoke-stage"
        var stage = Stage(restApiId: draft.restApi.id, stageName: stageName, deploymentId: "test-invoke", variables: stageVariables)
        // Execution logging on, so the call's log says what went to the backend.
        var logging = MethodSetting()
        logging.loggingLevel = .info
        stage.methodSettings[Stage.defaultSettingsKey] = logging
        let configuration = GatewayConfiguration(version: 0, account: Account(throttle: ThrottleLimit(rate: 1_000_000, burst: 1_000_000)),
                                                 stages: [.init(stage: stage, definition: draft)])
        let table = RoutingTable(configuration: configuration, compiler: testCompiler)
        let target = pathWithQuery.hasPrefix("/") ? pathWithQuery : "/" + pathWithQuery
        var made = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: verb == "ANY" ? "GET" : verb),
                                   uri: "/restapis/\(draft.restApi.id)/\(stageName)/_user_request_\(target)")
        for (name, value) in headers { made.headers.add(name: name, value: value) }
        if !made.headers.contains(name: "host") { made.headers.add(name: "Host", value: "test-invoke.gatehouse") }
        let head = made
        let loop = group.next()
        let promise = loop.makePromise(of: TestInvocation.self)
        let started = NIODeadline.now()
        loop.execute {
            let context = RequestContext(requestId: UUID().uuidString.lowercased(), table: table, eventLoop: loop)
            var requestBody: RequestBody?
            if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(verb) {
                let streamed = RequestBody(length: body.count)
                if !body.isEmpty { streamed.append(ByteBuffer(bytes: body)) }
                streamed.finish()
                requestBody = streamed
            }
            let request = GatewayRequest(head: head, body: requestBody, remoteAddress: nil, sourceIp: "127.0.0.1")
            func finish(_ answered: GatewayResponse) {
                let response = context.customized(answered, head: head)
                func result(_ bytes: [UInt8]) -> TestInvocation {
                    let latency = Int((NIODeadline.now() - started).nanoseconds / 1_000_000)
                    var log = ["Execution log for request \(context.requestId)", "Method request path: \(target)",
                               "Method request headers: \(headers.map { "\($0.name)=\($0.value)" }.joined(separator: ", "))"]
                    if let url = context.integrationURL { log.append("Endpoint request URI: \(url)") }
                    if let status = context.integrationStatus { log.append("Endpoint response status: \(status)") }
                    if let failure = context.failure { log.append("\(failure.type.rawValue): \(failure.detail ?? failure.type.message)") }
                    log.append("Method completed with status: \(response.status.code)")
                    return TestInvocation(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: bytes,
                                          latencyMs: latency, log: log, principalId: context.principalId, authorizerContext: context.authorizerContext)
                }
                switch response.body {
                case .buffer(let buffer):
                    promise.succeed(result(Array(buffer.readableBytesView)))
                case .stream(let source, _):
                    ResponseCollector.collect(source) { collected in
                        switch collected {
                        case .success(let bytes): promise.succeed(result(bytes))
                        case .failure(let error): promise.fail(error)
                        }
                    }
                }
            }
            switch table.respond(to: request, context: context) {
            case .response(let response): finish(response)
            case .pending(let pending): pending.whenComplete(finish)
            }
        }
        return try promise.futureResult.wait()
    }
}
