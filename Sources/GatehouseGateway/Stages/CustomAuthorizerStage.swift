import AsyncHTTPClient
import Foundation
import GatehouseCore
import NIOCore
import NIOHTTP1

/// The authorize stage of a method guarded by a custom authorizer (TOKEN or REQUEST): the identity is read
/// (a missing one is 401 without a call), the authorizer's URL is POSTed AWS's Lambda authorizer event and its
/// answer (AWS's output: principal, policy, context, usage key) is kept for the TTL under the identity. The
/// policy is evaluated against the call's method ARN: allowed goes on, denied is 403; the authorizer answering
/// 401 is 401 `Unauthorized`; failing, timing out or answering garbage is 500.
final class CustomAuthorizerStage: GatewayStage {
    let authorizer: Authorizer
    let authorizers: CustomAuthorizers
    let identity: SigningIdentity
    let validation: NSRegularExpression?

    /// The stage and its authorizer-cache generation: answers are kept per stage, and a flush starts afresh.
    let scope: String

    init(authorizer: Authorizer, authorizers: CustomAuthorizers, identity: SigningIdentity, scope: String = "") {
        self.scope = scope
        self.authorizer = authorizer
        self.authorizers = authorizers
        self.identity = identity
        validation = authorizer.identityValidationExpression.flatMap { try? NSRegularExpression(pattern: "^(?:\($0))$") }
    }

    var isToken: Bool { authorizer.type.uppercased() == "TOKEN" }

    func handle(_ request: GatewayRequest, context: RequestContext, next: GatewayNext) -> StageResult {
        context.authorizerName = authorizer.name
        context.authorizerType = authorizer.type.uppercased()
        // The identity: the token, or every identity source's value (all needed when answers are cached).
        let cacheKey: String
        if isToken {
            guard let token = request.head.headers.first(name: authorizer.identityHeader), !token.isEmpty else {
                return .response(context.fail(.unauthorized, detail: "no token in \(authorizer.identityHeader)"))
            }
            if let validation, validation.firstMatch(in: token, range: NSRange(token.startIndex..., in: token)) == nil {
                return .response(context.fail(.unauthorized, detail: "the token does not match the identity validation expression"))
            }
            cacheKey = scope + "\u{1}" + authorizer.id + "\u{1}" + token
        } else {
            var values: [String] = []
            for source in authorizer.identitySources {
                let value = Self.value(of: source, request: request, context: context)
                if authorizer.resultTtl > 0, value?.isEmpty ?? true {
                    return .response(context.fail(.unauthorized, detail: "no value for the identity source \(source)"))
                }
                values.append(value ?? "")
            }
            cacheKey = scope + "\u{1}" + authorizer.id + "\u{1}" + values.joined(separator: "\u{1}")
        }
        let methodArn = SigV4.resourceArn(region: identity.region, account: identity.account, apiId: context.target?.apiId ?? "",
                                          stage: context.target?.stageName ?? "", verb: request.head.method.rawValue,
                                          path: context.stagePath ?? request.path)
        if authorizer.resultTtl > 0, let kept = authorizers.cached(cacheKey) {
            context.authorizerCached = true
            return decide(kept, methodArn: methodArn, request: request, context: context, next: next)
        }
        let body: Data
        do {
            body = try JSONSerialization.data(withJSONObject: event(request, context: context, methodArn: methodArn), options: [.sortedKeys])
        } catch {
            return .response(context.fail(.authorizerConfigurationError, detail: "the authorizer event could not be written: \(error)"))
        }
        let call: HTTPClient.Request
        do {
            call = try HTTPClient.Request(url: authorizer.authorizerUri ?? "", method: .POST,
                                          headers: ["Content-Type": "application/json"], body: .bytes(Array(body)))
        } catch {
            return .response(context.fail(.authorizerConfigurationError, detail: "the authorizer URL cannot be called: \(error)"))
        }
        let pending = PendingResponse()
        let loop = context.eventLoop
        let started = NIODeadline.now()
        authorizers.client.execute(request: call, eventLoop: .delegate(on: loop), deadline: .now() + CustomAuthorizers.timeout)
            .hop(to: loop).assumeIsolated().whenComplete { [self] result in
                context.authorizerLatencyMs = Double((NIODeadline.now() - started).nanoseconds) / 1_000_000
                switch result {
                case .failure(let error):
                    pending.complete(context.fail(.authorizerFailure, detail: "the authorizer could not be called: \(error)"))
                case .success(let response):
                    switch response.status.code {
                    case 200:
                        let output: AuthorizerOutput
                        do {
                            output = try AuthorizerOutput.parse(Data(response.body.map { Array($0.readableBytesView) } ?? []))
                        } catch let error as AuthorizerOutputError {
                            pending.complete(context.fail(.authorizerConfigurationError, detail: error.description))
                            return
                        } catch {
                            pending.complete(context.fail(.authorizerConfigurationError, detail: "\(error)"))
                            return
                        }
                        authorizers.keep(output, for: cacheKey, ttl: authorizer.resultTtl)
                        pending.complete(with: decide(output, methodArn: methodArn, request: request, context: context, next: next))
                    case 401:
                        pending.complete(context.fail(.unauthorized, detail: "the authorizer answered 401"))
                    default:
                        pending.complete(context.fail(.authorizerFailure, detail: "the authorizer answered \(response.status.code)"))
                    }
                }
            }
        return .pending(pending)
    }

    /// The policy's verdict for this call; the principal, context and usage key go on the context.
    private func decide(_ output: AuthorizerOutput, methodArn: String, request: GatewayRequest, context: RequestContext,
                        next: GatewayNext) -> StageResult {
        context.principalId = output.principalId
        context.authorizerContext = output.context
        context.usageIdentifierKey = output.usageIdentifierKey
        guard output.allows(methodArn) else {
            return .response(context.fail(.accessDenied, message: GatewayResponseType.accessDenied.message, errorType: "AccessDeniedException",
                                          detail: "the authorizer's policy does not allow execute-api:Invoke on \(methodArn)"))
        }
        return next(request, context)
    }

    /// AWS's authorizer event: TOKEN (`authorizationToken`, `methodArn`) or REQUEST (the request's parts).
    private func event(_ request: GatewayRequest, context: RequestContext, methodArn: String) -> [String: Any] {
        if isToken {
            return ["type": "TOKEN", "authorizationToken": request.head.headers.first(name: authorizer.identityHeader) ?? "", "methodArn": methodArn]
        }
        var headers: [String: String] = [:], multiHeaders: [String: [String]] = [:]
        for (name, value) in request.head.headers {
            if headers[name] == nil { headers[name] = value }
            multiHeaders[name, default: []].append(value)
        }
        var query: [String: String] = [:], multiQuery: [String: [String]] = [:]
        for (name, value) in request.queryPairs {
            query[name] = value
            multiQuery[name, default: []].append(value)
        }
        let resourcePath = context.match?.resourcePath ?? ""
        return [
            "type": "REQUEST", "methodArn": methodArn, "resource": resourcePath, "path": context.stagePath ?? request.path,
            "httpMethod": request.head.method.rawValue, "headers": headers, "multiValueHeaders": multiHeaders,
            "queryStringParameters": query, "multiValueQueryStringParameters": multiQuery,
            "pathParameters": context.match?.pathParameters ?? [:], "stageVariables": context.stageVariables,
            "requestContext": [
                "accountId": identity.account, "apiId": context.target?.apiId ?? "", "stage": context.target?.stageName ?? "",
                "requestId": context.requestId, "resourcePath": resourcePath, "httpMethod": request.head.method.rawValue,
                "path": request.path, "identity": identityEvent(request, context: context),
            ] as [String: Any],
        ]
    }

    /// `requestContext.identity` of the event; with mutual TLS, AWS's `clientCert` object.
    private func identityEvent(_ request: GatewayRequest, context: RequestContext) -> [String: Any] {
        var identity: [String: Any] = ["sourceIp": request.sourceIp ?? "", "userAgent": request.head.headers.first(name: "user-agent") ?? ""]
        if let certificate = context.clientCertificate {
            identity["clientCert"] = ["clientCertPem": certificate.clientCertPem, "subjectDN": certificate.subjectDN, "issuerDN": certificate.issuerDN,
                                      "serialNumber": certificate.serialNumber,
                                      "validity": ["notBefore": certificate.notBefore, "notAfter": certificate.notAfter]] as [String: Any]
        }
        return identity
    }

    /// One identity source's value: `method.request.header.X`, `method.request.querystring.Y`, `stageVariables.Z`
    /// or `context.W`.
    static func value(of source: String, request: GatewayRequest, context: RequestContext) -> String? {
        for prefix in ["method.request.header.", "$request.header."] where source.hasPrefix(prefix) {
            return request.head.headers.first(name: String(source.dropFirst(prefix.count)))
        }
        for prefix in ["method.request.querystring.", "$request.querystring."] where source.hasPrefix(prefix) {
            return request.queryParameters[String(source.dropFirst(prefix.count))]
        }
        if source.hasPrefix("stageVariables.") { return context.stageVariables[String(source.dropFirst("stageVariables.".count))] }
        if source.hasPrefix("context.") {
            switch source.dropFirst("context.".count) {
            case "identity.sourceIp": return request.sourceIp
            case "httpMethod": return request.head.method.rawValue
            case "stage": return context.target?.stageName
            case "resourcePath": return context.match?.resourcePath
            case let name where name.hasPrefix("identity.clientCert."): return context.clientCertificateValues[String(name)]
            default: return nil
            }
        }
        return nil
    }
}
