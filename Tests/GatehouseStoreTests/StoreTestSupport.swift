import Foundation
import GatehouseCore
@testable import GatehouseStore

/// A fresh store file in the temp folder, removed by the caller's `defer`.
struct TemporaryStore {
    let directory: URL
    var path: String { directory.appendingPathComponent("gatehouse.db").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

let cliActor = Actor(name: "tester", source: "test")

/// A small API: GET /pets (mock), GET /pets/{id} (http_proxy).
func sampleDefinition(id: String = Identifiers.make(), name: String = "Pets") -> ApiDefinition {
    let root = Resource(id: Identifiers.make(), parentId: nil, pathPart: "", path: "/")
    var pets = Resource(id: Identifiers.make(), parentId: root.id, pathPart: "pets", path: "/pets")
    pets.resourceMethods["GET"] = Method(httpMethod: "GET", methodIntegration: Integration(type: .mock))
    var byId = Resource(id: Identifiers.make(), parentId: pets.id, pathPart: "{id}", path: "/pets/{id}")
    byId.resourceMethods["GET"] = Method(httpMethod: "GET", methodIntegration: Integration(type: .httpProxy, uri: "http://127.0.0.1:1/{id}"))
    return ApiDefinition(restApi: RestApi(id: id, name: name), resources: [root, pets, byId])
}
