import GatehouseCore
import NIOCore

/// What the pipeline learns about one request as it passes through, typed; the log stage turns it into the
/// access-log record. One per request, confined to the connection's event loop.
public final class RequestContext {
    /// The request's id as the connection made it (bits) or as it was given (text); `requestId` is its text, made
    /// on first use and kept: a plain proxied call never needs it as a `String`.
    public let requestIdentity: RequestIdentity
    private var idText: String?
    public var requestId: String {
        if let idText { return idText }
        let text = requestIdentity.text
        idText = text
        return text
    }
    public let table: RoutingTable
    public let eventLoop: any EventLoop
    /// The API and stage the URL named, even when no method matched.
    public var target: RoutingTable.Target?
    public var stage: RoutingTable.StageRoute?
    public var match: Router.Match?
    /// The compiled method the route chose.
    public var method: CompiledMethod?
    /// The path inside the stage, e.g. `/pets/42`.
    public var stagePath: String?
    public var integrationStart: NIODeadline?
    public var integrationLatencyMs: Double?
    /// Why the gateway answered itself, if it did.
    public var failure: GatewayFailure?
    public var throttled = false
    /// The account-wide limit (not a stage's or a method's) refused the call.
    public var throttledByAccount = false
    /// The id of the API key the caller presented, once the key stage accepted it.
    public var apiKeyId: String?
    /// The access key id of a SigV4-signed call, once the signature verified (`$context.identity.accessKey`).
    public var callerAccessKey: String?
    /// The signer as a principal (`arn:aws:iam::ACCOUNT:user/NAME`, `$context.identity.userArn`).
    public var callerArn: String?
    /// A JWT authorizer's verdict: the token's claims as text (`context.authorizer.claims.NAME`) and its `sub`.
    public var authorizerClaims: [String: String] = [:]
    public var principalId: String?
    /// A custom authorizer's `context` (`context.authorizer.KEY`), whether its answer came from the cache,
    /// how long the call to it took, and the API key it named (`usageIdentifierKey`).
    public var authorizerContext: [String: String] = [:]
    /// The authorizer that ran for the call (`sigv4` for AWS_IAM) and its type, for `/metrics`.
    public var authorizerName: String?
    public var authorizerType: String?
    public var authorizerCached = false
    public var authorizerLatencyMs: Double?
    public var usageIdentifierKey: String?
    /// Whether the stage cache answered (hit) or was asked and could not (miss); nil when the method is not cached.
    public var cacheResult: CacheResult?
    /// A caller asked to bypass the cache without the authorization the stage requires for it.
    public var cacheInvalidationRefused = false
    /// What went to the backend and what came back, for execution logging.
    public var integrationURL: String?
    public var integrationHeaders: [(String, String)] = []
    public var integrationStatus: Int?
    public var backendHeaders: [(String, String)] = []
    /// The client certificate verified at the TLS handshake (mutual TLS), `$context.identity.clientCert.*`.
    public var clientCertificate: ClientCertificateIdentity?
    /// The Host the call named (`$context.domainName`).
    public var domainName: String? { target?.domainName }

    /// `$context.identity.clientCert.*` as variables, empty without a client certificate.
    public var clientCertificateValues: [String: String] {
        guard let certificate = clientCertificate else { return [:] }
        var values: [String: String] = [:]
        for (name, value) in certificate.variables { values["identity.clientCert." + name] = value }
        return values
    }

    public convenience init(requestId: String, table: RoutingTable, eventLoop: any EventLoop) {
        self.init(requestIdentity: .text(requestId), table: table, eventLoop: eventLoop)
    }

    public init(requestIdentity: RequestIdentity, table: RoutingTable, eventLoop: any EventLoop) {
        self.requestIdentity = requestIdentity
        self.table = table
        self.eventLoop = eventLoop
    }

    public var stageVariables: [String: String] { stage?.binding.stage.variables ?? [:] }

    /// Notes the failure and returns its gateway response with `message` as the body's message and, when
    /// given, `errorType` as `x-amzn-ErrorType` (AWS's IAM refusals say which check failed).
    public func fail(_ type: GatewayResponseType, message: String, errorType: String? = nil, detail: String? = nil) -> GatewayResponse {
        let logged = detail ?? message
        failure = GatewayFailure(type, detail: logged.count > 200 ? String(logged.prefix(200)) + "…" : logged)
        var response = GatewayResponse.gateway(type)
        if let errorType { response.headers.replaceOrAdd(name: "x-amzn-ErrorType", value: errorType) }
        response.body = .buffer(ByteBuffer(string: GatewayResponse.jsonMessage(message)))
        response.gatewayMessage = message
        return response
    }

    /// Notes the failure and returns its gateway response.
    public func fail(_ type: GatewayResponseType, detail: String? = nil) -> GatewayResponse {
        failure = GatewayFailure(type, detail: detail)
        return .gateway(type)
    }
}
