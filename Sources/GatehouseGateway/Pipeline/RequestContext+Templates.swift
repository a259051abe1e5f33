import Foundation
import GatehouseCore
import NIOHTTP1

extension RequestContext {
    /// `$context` as mappings read it, the authorizer's verdict included (`authorizer.claims.NAME`,
    /// `authorizer.principalId`, `identity.accessKey`, `identity.userArn`).
    func mappingContext(_ request: GatewayRequest) -> [String: String] {
        var values = ["requestId": requestId, "stage": target?.stageName ?? "",
                      "identity.sourceIp": request.sourceIp ?? "", "httpMethod": request.head.method.rawValue,
                      "resourcePath": match?.resourcePath ?? "", "apiId": target?.apiId ?? ""]
        for (name, value) in authorizerClaims { values["authorizer.claims." + name] = value }
        for (name, value) in authorizerContext { values["authorizer." + name] = value }
        values["extendedRequestId"] = requestId
        values["path"] = request.path
        values["protocol"] = "HTTP/\(request.head.version.major).\(request.head.version.minor)"
        values["requestTimeEpoch"] = String(Int(request.receivedDate.timeIntervalSince1970 * 1000))
        if let agent = request.head.headers.first(name: "user-agent") { values["identity.userAgent"] = agent }
        if let key = apiKeyId { values["identity.apiKeyId"] = key }
        if let principal = principalId { values["authorizer.principalId"] = principal }
        if let key = callerAccessKey { values["identity.accessKey"] = key }
        if let arn = callerArn { values["identity.userArn"] = arn }
        if clientCertificate != nil { values.merge(clientCertificateValues) { _, new in new } }
        values["domainName"] = domainName ?? request.head.headers.first(name: "host").map { DomainName.normalized($0) } ?? ""
        return values
    }

    /// `response` as the API customized it, when the gateway made it itself (its gateway responses).
    func customized(_ response: GatewayResponse, head: HTTPRequestHead) -> GatewayResponse {
        guard let type = response.gatewayType, let customized = stage?.gatewayResponses else { return response }
        return customized.apply(to: response, type: type, message: response.gatewayMessage ?? type.message, head: head, context: self)
    }

    /// What a mapping template sees of this call: `body` as `$input.body`, the method request's parameters,
    /// `$context` and `$stageVariables`.
    func templateInput(_ request: GatewayRequest, body: [UInt8]) -> TemplateInput {
        TemplateInput(body: String(decoding: body, as: UTF8.self), pathParameters: match?.pathParameters ?? [:],
                      queryParameters: request.queryParameters, headers: request.head.headers.map { ($0.name, $0.value) },
                      context: mappingContext(request), stageVariables: stageVariables)
    }
}
