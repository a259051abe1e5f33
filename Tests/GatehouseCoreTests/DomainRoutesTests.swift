import GatehouseCore
import Testing

/// Base path mappings as AWS routes them: the longest base path whose whole segments begin the path wins,
/// `(none)` takes the rest, hosts compare without case, port or trailing dot.
@Suite struct DomainRoutesTests {
    let routes = DomainRoutes([
        BasePathMapping(domainName: "API.Example.test", basePath: "v1", restApiId: "a1", stage: "prod"),
        BasePathMapping(domainName: "api.example.test", basePath: "/v1/orders/", restApiId: "a2", stage: "prod"),
        BasePathMapping(domainName: "api.example.test", basePath: "(none)", restApiId: "a3", stage: "live"),
        BasePathMapping(domainName: "strict.example.test", basePath: "v2", restApiId: "a4", stage: "beta"),
    ])

    @Test func longestBasePathWinsOnWholeSegments() {
        #expect(routes.route(host: "api.example.test", path: "/v1/pets/1")?.restApiId == "a1")
        #expect(routes.route(host: "api.example.test", path: "/v1/pets/1")?.path == "/pets/1")
        #expect(routes.route(host: "api.example.test", path: "/v1/orders/7") == .init(restApiId: "a2", stage: "prod", path: "/7", basePath: "v1/orders"))
        #expect(routes.route(host: "api.example.test", path: "/v1/orders")?.path == "/")
        #expect(routes.route(host: "api.example.test", path: "/v1")?.restApiId == "a1")
        // "v1x" is not under "v1": the catch-all takes it, whole path.
        #expect(routes.route(host: "api.example.test", path: "/v1x/pets") == .init(restApiId: "a3", stage: "live", path: "/v1x/pets", basePath: ""))
        #expect(routes.route(host: "api.example.test", path: "/") == .init(restApiId: "a3", stage: "live", path: "/", basePath: ""))
    }

    @Test func hostsCompareWithoutCasePortOrTrailingDot() {
        #expect(routes.route(host: "API.EXAMPLE.TEST:8443", path: "/v1/a")?.restApiId == "a1")
        #expect(routes.route(host: "api.example.test.", path: "/v1/a")?.restApiId == "a1")
        #expect(routes.serves(host: "Strict.Example.Test:443"))
        #expect(!routes.serves(host: "other.example.test"))
        #expect(routes.route(host: "other.example.test", path: "/v1/a") == nil)
    }

    @Test func withoutACatchAllAnUnmappedPathGoesNowhere() {
        #expect(routes.route(host: "strict.example.test", path: "/v2/x")?.restApiId == "a4")
        #expect(routes.route(host: "strict.example.test", path: "/v3/x") == nil)
        #expect(routes.route(host: "strict.example.test", path: "v2/x") == nil)
    }

    @Test func namesAndBasePathsAreChecked() {
        #expect(DomainName.problem(withName: "api.example.test") == nil)
        #expect(DomainName.problem(withName: "localhost") != nil)
        #expect(DomainName.problem(withName: "-bad.example.test") != nil)
        #expect(DomainName.problem(withName: "sp ace.example.test") != nil)
        #expect(BasePathMapping.problem(withBasePath: "v1/orders") == nil)
        #expect(BasePathMapping.problem(withBasePath: "v1/{id}") != nil)
        #expect(BasePathMapping.normalized("(none)") == "" && BasePathMapping.normalized("/a//b/") == "a/b")
        #expect(TLSVersion(flag: "1.3") == .tls13 && TLSVersion(flag: "TLS_1_2") == .tls12 && TLSVersion(flag: "1.1") == nil)
    }
}
