import Foundation
import GatehouseCore
@testable import GatehouseStore
import GRDB
import Testing

@Suite struct ConfigStoreTests {
    /// The document's tags and base path are kept (migration v19); an import without an endpoint configuration
    /// keeps the endpoint type the API was given, one with it sets it.
    @Test func documentTagsBasePathAndEndpointTypeAreKept() throws {
        let temp = try TemporaryStore()
        defer { temp.remove() }
        let store = try Store(path: temp.path)
        var definition = sampleDefinition()
        let apiId = definition.restApi.id
        definition.restApi.tags = [ApiTag(name: "pets", description: "about pets"), ApiTag(name: "team", value: "platform")]
        definition.restApi.basePath = "/v1"
        try store.putApi(definition, mode: .overwrite, actor: cliActor)
        var loaded = try #require(try store.definition(apiId: apiId))
        #expect(loaded.restApi.tags == definition.restApi.tags && loaded.restApi.basePath == "/v1")
        try store.setEndpointType(apiId: apiId, type: .private, actor: cliActor)
        definition.restApi.basePath = "/v2"
        try store.putApi(definition, mode: .overwrite, actor: cliActor)
        loaded = try #require(try store.definition(apiId: apiId))
        #expect(loaded.restApi.endpointType == .private && loaded.restApi.basePath == "/v2")
        definition.restApi.endpointType = .edge
        try store.putApi(definition, mode: .merge, actor: cliActor)
        #expect(try store.definition(apiId: apiId)?.restApi.endpointType == .edge)
    }

    @Test func stageServesItsDeploymentNotTheDraftAndRollsBack() throws {
        let temp = try TemporaryStore()
        defer { temp.remove() }
        let store = try Store(path: temp.path)
        var definition = sampleDefinition()
        let apiId = definition.restApi.id
        try store.putApi(definition, mode: .overwrite, actor: cliActor)
        let v1 = try store.deploy(apiId: apiId, stageName: "prod", description: "first", variables: ["backend": "a:1"], actor: cliActor)

        // Change the draft: drop /pets/{id}. The stage still serves v1 until redeployed.
        definition.resources.removeAll { $0.path == "/pets/{id}" }
        try store.putApi(definition, mode: .overwrite, actor: cliActor)
        var served = try store.gatewayConfiguration().stages.first { $0.stage.stageName == "prod" }
        #expect(served?.definition.resources.contains { $0.path == "/pets/{id}" } == true)

        let v2 = try store.deploy(apiId: apiId, stageName: "prod", description: "second", variables: [:], actor: cliActor)
        served = try store.gatewayConfiguration().stages.first { $0.stage.stageName == "prod" }
        #expect(served?.stage.deploymentId == v2.id)
        #expect(served?.definition.resources.contains { $0.path == "/pets/{id}" } == false)
        #expect(served?.stage.variables == ["backend": "a:1"], "variables survive a redeploy")
        #expect(try store.deployments(apiId: apiId).map(\.id) == [v2.id, v1.id])

        try store.rollback(apiId: apiId, stageName: "prod", to: v1.id, actor: cliActor)
        served = try store.gatewayConfiguration().stages.first { $0.stage.stageName == "prod" }
        #expect(served?.stage.deploymentId == v1.id)
        #expect(served?.definition.resources.contains { $0.path == "/pets/{id}" } == true)

        #expect(throws: StoreError.self) { try store.rollback(apiId: apiId, stageName: "prod", to: "nope", actor: cliActor) }
        #expect(throws: StoreError.self) { try store.deploy(apiId: apiId, stageName: "bad name", description: nil, variables: [:], actor: cliActor) }
        let actions = try store.auditLog().map(\.action)
        #expect(actions.filter { $0 == "CreateDeployment" }.count == 2)
        #expect(actions.contains("UpdateStage(rollback)"))
    }

    @Test func everyConfigWriteBumpsTheVersionEvenByHand() throws {
        let temp = try TemporaryStore()
        defer { temp.remove() }
        let store = try Store(path: temp.path)
        let definition = sampleDefinition()
        try store.putApi(definition, mode: .overwrite, actor: cliActor)
        try store.deploy(apiId: definition.restApi.id, stageName: "dev", description: nil, variables: [:], actor: cliActor)
        let before = try store.configVersion()
        try store.setStageThrottle(apiId: definition.restApi.id, stageName: "dev", methodKey: "/pets/GET",
                                   limit: ThrottleLimit(rate: 3, burst: 4), actor: cliActor)
        let afterThrottle = try store.configVersion()
        #expect(afterThrottle > before)
        // A second process (another connection) editing by hand is seen too.
        let other = try DatabaseQueue(path: temp.path)
        try other.write { db in try db.execute(sql: "UPDATE account SET throttle_rate = 1") }
        #expect(try store.configVersion() > afterThrottle)
        #expect(try store.account().throttle.rate == 1)
        let stage = try #require(try store.stage(apiId: definition.restApi.id, stageName: "dev"))
        #expect(stage.methodSettings["/pets/GET"]?.throttle == ThrottleLimit(rate: 3, burst: 4))
        #expect(throws: StoreError.self) {
            try store.setStageThrottle(apiId: definition.restApi.id, stageName: "dev", methodKey: "/nothing/GET",
                                       limit: ThrottleLimit(rate: 1, burst: 1), actor: cliActor)
        }
        let audit = try #require(try store.auditLog().first { $0.action == "UpdateStage(throttle)" })
        #expect(audit.before == "none")
        #expect(audit.after == "3 rps / burst 4")
        #expect(audit.operatorName == "tester")
    }

    @Test func mergeAddsAndOverwriteReplaces() throws {
        let temp = try TemporaryStore()
        defer { temp.remove() }
        let store = try Store(path: temp.path)
        let base = sampleDefinition(id: "api1")
        try store.putApi(base, mode: .overwrite, actor: cliActor)
        var extra = ApiDefinition(restApi: RestApi(id: "api1", name: "Pets v2"), resources: [
            Resource(id: "r", parentId: nil, pathPart: "", path: "/"),
            Resource(id: "o", parentId: "r", pathPart: "owners", path: "/owners",
                     resourceMethods: ["GET": Method(httpMethod: "GET", methodIntegration: Integration(type: .mock))]),
        ])
        try store.putApi(extra, mode: .merge, actor: cliActor)
        let merged = try #require(try store.definition(apiId: "api1"))
        #expect(Set(merged.resources.map(\.path)) == ["/", "/pets", "/pets/{id}", "/owners"])
        #expect(merged.restApi.name == "Pets v2")
        extra.restApi.name = "Owners only"
        try store.putApi(extra, mode: .overwrite, actor: cliActor)
        #expect(Set(try #require(try store.definition(apiId: "api1")).resources.map(\.path)) == ["/", "/owners"])
    }

    @Test func missingAndNewerStoresAreClearErrors() throws {
        let temp = try TemporaryStore()
        defer { temp.remove() }
        #expect {
            try Store(path: temp.path, create: false)
        } throws: { error in
            "\(error)".contains("no store at") && "\(error)".contains("gatehouse import")
        }
        _ = try Store(path: temp.path)
        let raw = try DatabaseQueue(path: temp.path)
        try raw.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999-from-the-future')") }
        #expect {
            try Store(path: temp.path)
        } throws: { error in
            "\(error)".contains("newer gatehouse")
        }
        let notADatabase = temp.directory.appendingPathComponent("text.db").path
        try Data("hello, this is not sqlite at all, just text padding.............................................".utf8)
            .write(to: URL(fileURLWithPath: notADatabase))
        #expect(throws: StoreError.self) { try Store(path: notADatabase) }
    }
}
