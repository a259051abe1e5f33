import GatehouseAdmin
import GatehouseCore
import GatehouseGateway

/// The management API as the worker's admin listener serves it (glue between the two modules).
struct ManagementListener: AdminExtension {
    let api: ManagementAPI

    func owns(path: String) -> Bool { api.owns(path: path) }

    func respond(method: String, uri: String, headers: [(name: String, value: String)], body: [UInt8])
        -> (status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        let answer = api.respond(method: method, uri: uri, headers: headers, body: body)
        return (answer.status, answer.headers, answer.body)
    }
}

/// The worker running the management API's test invocations (glue between the two modules).
struct GatewayInvoker: MethodInvoker {
    let gateway: Gateway

    func invoke(_ request: TestInvokeRequest) throws -> TestInvocation {
        try gateway.testInvoke(definition: request.definition, resourcePath: request.resourcePath, verb: request.verb,
                               pathWithQuery: request.pathWithQuery, headers: request.headers, body: request.body,
                               stageVariables: request.stageVariables, skipAuthorization: request.skipAuthorization)
    }
}
