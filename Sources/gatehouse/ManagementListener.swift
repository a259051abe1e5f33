import GatehouseAdmin
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
