import Foundation
import GatehouseCore
@testable import GatehouseGateway
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

/// Each stage on its own, with a stub `next` that records whether it ran; the route stage over a compiled
/// table. No sockets: the stages are synchronous values.
@Suite struct StageTests {
    /// A stage that answers 200 and counts its calls: stands in for the rest of the chain.
    final class Stub: GatewayStage, @unchecked Sendable {
        var calls = 0
        func handle(_ request: GatewayRequest, context: RequestContext, next: GatewayNext) -> StageResult {
            calls += 1
            return .response(GatewayResponse(status: .ok))
        }
    }

    let loop = EmbeddedEventLoop()

    func request(_ path: String, method: HTTPMethod = .GET, headers: HTTPHeaders = ["Host": "a"]) -> GatewayRequest {
        GatewayRequest(head: HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers), body: nil, remoteAddress: nil)
    }

    func run(_ stage: any GatewayStage, _ stub: Stub, _ request: GatewayRequest) -> (GatewayResponse, RequestContext) {
        let context = RequestContext(requestId: "r", table: .empty, eventLoop: loop)
        guard case .response(let response) = GatewayNext(stages: [stage, stub])(request, context) else {
            Issue.record("a synchronous stage answered .pending")
            return (GatewayResponse(status: .internalServerError), context)
        }
        return (response, context)
    }

    @Test func throttleLetsTheBurstThroughThenAnswers429WithoutCallingNext() {
        let registry = ThrottleRegistry()
        let buckets = registry.buckets(for: [AppliedThrottle(scope: .stage, bucketKey: "s", limit: ThrottleLimit(rate: 0.001, burst: 2)),
                                             AppliedThrottle(scope: .account, bucketKey: "acct", limit: ThrottleLimit(rate: 1000, burst: 1000))])
        let stage = ThrottleStage(buckets: buckets, scopes: [.stage, .account])
        let stub = Stub()
        #expect(run(stage, stub, request("/")).0.status == .ok)
        #expect(run(stage, stub, request("/")).0.status == .ok)
        let (refused, context) = run(stage, stub, request("/"))
        #expect(refused.status == .tooManyRequests)
        #expect(context.throttled)
        #expect(!context.throttledByAccount, "the stage's limit refused it, not the account's")
        #expect(context.failure?.type == .throttled)
        #expect(stub.calls == 2)
        // The refused call took nothing from the account bucket (all or none).
        #expect((registry.tokens(bucketKey: "acct") ?? 0) > 997.9)
    }

    @Test func aCallTheAccountLimitRefusesIsCountedAgainstTheAccount() {
        let registry = ThrottleRegistry()
        let buckets = registry.buckets(for: [AppliedThrottle(scope: .stageMethod, bucketKey: "m", limit: ThrottleLimit(rate: 1000, burst: 1000)),
                                             AppliedThrottle(scope: .account, bucketKey: "acct", limit: ThrottleLimit(rate: 0.001, burst: 1))])
        let stage = ThrottleStage(buckets: buckets, scopes: [.stageMethod, .account])
        let stub = Stub()
        #expect(run(stage, stub, request("/")).0.status == .ok)
        let (refused, context) = run(stage, stub, request("/"))
        #expect(refused.status == .tooManyRequests)
        #expect(context.throttled && context.throttledByAccount)
        #expect(stub.calls == 1)
    }

    @Test func refuseStageNeverCallsNextAndSaysWhy() {
        let stub = Stub()
        let (response, context) = run(RefuseStage(detail: "because"), stub, request("/"))
        #expect(response.status == .internalServerError)
        #expect(context.failure == GatewayFailure(.apiConfigurationError, detail: "because"))
        #expect(stub.calls == 0)
    }

    @Test func mockPicksTheBodyForAcceptAndKeepsMappedHeaders() {
        let integration = Integration(type: .mock, requestTemplates: ["application/json": #"{"statusCode": 201}"#], integrationResponses: [
            "default": IntegrationResponse(statusCode: "201", responseParameters: ["method.response.header.X-Mock": "'yes'"],
                                           responseTemplates: ["application/json": #"{"ok":true}"#, "text/plain": "ok"]),
        ])
        let stage = MockStage(mock: CompiledMock(integration))
        let stub = Stub()
        let (json, _) = run(stage, stub, request("/"))
        #expect(json.status == .created)
        #expect(json.headers.first(name: "content-type") == "application/json")
        #expect(json.headers.first(name: "x-mock") == "yes")
        let (text, _) = run(stage, stub, request("/", headers: ["Host": "a", "Accept": "text/plain"]))
        guard case .buffer(let body) = text.body else { Issue.record("mock body is not a buffer"); return }
        #expect(String(buffer: body) == "ok")
        #expect(stub.calls == 0)
    }

    @Test func routeFindsTheMethodAndRefusesWhatItCannotProtect() throws {
        let open = Method(httpMethod: "GET", methodIntegration: Integration(type: .mock, requestTemplates: ["application/json": #"{"statusCode": 200}"#],
                                                                         integrationResponses: ["default": IntegrationResponse(statusCode: "200")]))
        var keyed = open
        keyed.apiKeyRequired = true
        var authorized = open
        authorized.authorizationType = "CUSTOM"
        let resources = [
            Resource(id: "r0", parentId: nil, pathPart: "", path: "/"),
            Resource(id: "r1", parentId: "r0", pathPart: "open", path: "/open", resourceMethods: ["GET": open]),
            Resource(id: "r2", parentId: "r0", pathPart: "keyed", path: "/keyed", resourceMethods: ["GET": keyed]),
            Resource(id: "r3", parentId: "r0", pathPart: "authorized", path: "/authorized", resourceMethods: ["GET": authorized]),
        ]
        let definition = ApiDefinition(restApi: RestApi(id: "api1", name: "t"), resources: resources)
        let stage = Stage(restApiId: "api1", stageName: "prod", deploymentId: "d1")
        let table = RoutingTable(configuration: GatewayConfiguration(version: 1, account: Account(),
                                                                     stages: [.init(stage: stage, definition: definition)]))
        func call(_ path: String) -> (HTTPResponseStatus, RequestContext) {
            let context = RequestContext(requestId: "r", table: table, eventLoop: loop)
            guard case .response(let response) = table.respond(to: request("/restapis/api1/prod/_user_request_\(path)"), context: context) else {
                return (.internalServerError, context)
            }
            return (response.status, context)
        }
        #expect(call("/open").0 == .ok)
        let (missing, missingContext) = call("/nowhere")
        #expect(missing == .forbidden)
        #expect(missingContext.failure?.type == .missingAuthenticationToken)
        let (keyedStatus, keyedContext) = call("/keyed")
        #expect(keyedStatus == .forbidden, "a key is required and none was given")
        #expect(keyedContext.failure?.type == .invalidApiKey)
        let (authorizedStatus, authorizedContext) = call("/authorized")
        #expect(authorizedStatus == .internalServerError, "an authorizer this build cannot run: refused, not served open")
        #expect(authorizedContext.failure?.detail?.contains("not served open") == true)
    }

    @Test func upstreamEndpointsParse() throws {
        let plain = try #require(UpstreamEndpoint.parse("http://127.0.0.1:8080/pets?x=1"))
        #expect(plain.endpoint == UpstreamEndpoint(secure: false, host: "127.0.0.1", port: 8080))
        #expect(plain.target == "/pets?x=1")
        let secure = try #require(UpstreamEndpoint.parse("HTTPS://example.com"))
        #expect(secure.endpoint.port == 443 && secure.endpoint.secure && secure.target == "/")
        #expect(secure.endpoint.hostHeader == "example.com")
        let v6 = try #require(UpstreamEndpoint.parse("http://[::1]:9000/a#frag"))
        #expect(v6.endpoint.host == "::1" && v6.target == "/a" && v6.endpoint.hostHeader == "[::1]:9000")
        #expect(UpstreamEndpoint.parse("ftp://x/") == nil)
        #expect(UpstreamEndpoint.parse("http://:80/") == nil)
        #expect(UpstreamEndpoint.parse("http://h:99999/") == nil)
    }

    @Test func invokeURLsNameTheApiStageAndPath() {
        typealias T = RoutingTable.Target
        #expect(RoutingTable.target(host: "x", path: "/restapis/a1/prod/_user_request_/pets/1") == T(apiId: "a1", stageName: "prod", path: "/pets/1"))
        #expect(RoutingTable.target(host: nil, path: "/restapis/a1/prod/_user_request_") == T(apiId: "a1", stageName: "prod", path: "/"))
        #expect(RoutingTable.target(host: nil, path: "/restapis/a1/prod/_user_request_x") == nil)
        #expect(RoutingTable.target(host: nil, path: "/restapis/a1/prod") == nil)
        #expect(RoutingTable.target(host: nil, path: "/other/a1/prod/_user_request_/") == nil)
        #expect(RoutingTable.target(host: "a1.execute-api.local:8080", path: "/prod/pets") == T(apiId: "a1", stageName: "prod", path: "/pets"))
        #expect(RoutingTable.target(host: "a1.execute-api.local", path: "/prod") == T(apiId: "a1", stageName: "prod", path: "/"))
        #expect(RoutingTable.target(host: "a1.execute-api.local", path: "/") == nil)
        #expect(RoutingTable.target(host: "a1.example.com", path: "/prod/pets") == nil)
        #expect(RoutingTable.target(host: "a1.execute-api.local", path: "//prod//pets") == T(apiId: "a1", stageName: "prod", path: "//pets"))
        #expect(RoutingTable.target(host: "a1.execute-api", path: "/restapis/a2/dev/_user_request_/") == T(apiId: "a2", stageName: "dev", path: "/"),
                "a host that only starts like an invoke host does not count")
        #expect(RoutingTable.target(host: nil, path: "/restapis/a1/_user_request_/x") == nil, "no stage")
        #expect(RoutingTable.target(host: nil, path: "/restapis/a1") == nil && RoutingTable.target(host: nil, path: "/restapis/") == nil)
    }

    /// A body source that owns its pending response, as `UpstreamExchange` does.
    final class OwningSource: ResponseBodySource {
        let pending = PendingResponse()
        func start(_ sink: any ResponseBodySink) {}
        func pause() {}
        func resume() {}
        func cancel() {}
    }

    @Test func aDeliveredStreamedResponseDoesNotKeepItsSourceAlive() {
        // Leaked every proxied call before: the pending response kept the response, whose body kept the
        // source, which owns the pending response.
        weak var released: OwningSource?
        var delivered = 0
        do {
            let source = OwningSource()
            released = source
            source.pending.whenComplete { _ in delivered += 1 }
            source.pending.complete(GatewayResponse(status: .ok, body: .stream(source, expectedLength: nil)))
        }
        #expect(delivered == 1)
        #expect(released == nil, "the source is freed once its response was handed over")

        weak var early: OwningSource?
        do {
            let source = OwningSource()
            early = source
            source.pending.complete(GatewayResponse(status: .ok, body: .stream(source, expectedLength: nil)))
            source.pending.whenComplete { _ in delivered += 1 }
        }
        #expect(delivered == 2)
        #expect(early == nil, "also when the response came before anyone asked for it")
    }

    @Test func hopByHopHeadersAreRecognisedInAnyCase() {
        for name in ["Connection", "KEEP-ALIVE", "te", "Transfer-Encoding", "proxy-Authorization", "Upgrade", "Trailer"] {
            #expect(ProxyStage.isHopByHop(name, connectionTokens: []), "\(name)")
        }
        for name in ["Content-Type", "X-Request-Id", "Accept", "tf", "Host", "Transfer-Encodinh"] {
            #expect(!ProxyStage.isHopByHop(name, connectionTokens: []), "\(name)")
        }
        #expect(ProxyStage.isHopByHop("X-Secret", connectionTokens: ["x-secret"]))
        #expect(ProxyStage.equalsIgnoringCase("X-Forwarded-For", "x-forwarded-for"))
        #expect(!ProxyStage.equalsIgnoringCase("X-Forwarded-For", "x-forwarded-fos"))
        #expect(!ProxyStage.equalsIgnoringCase("a[", "a{"), "only letters fold")
        let line = "x: Keep-Alive, Upgrade"
        #expect(ProxyStage.equalsIgnoringCase("keep-alive", line.dropFirst(3).prefix(10)), "a slice of a longer string")
        #expect(!ProxyStage.equalsIgnoringCase("keep-alivf", line.dropFirst(3).prefix(10)))
        #expect(!ProxyStage.equalsIgnoringCase("", "x") && ProxyStage.equalsIgnoringCase("", ""))
        #expect(HTTPHeadWriter.isValidValue("text/plain; charset=utf-8") && !HTTPHeadWriter.isValidValue("a\r\nX-Injected: 1"))
    }
}
