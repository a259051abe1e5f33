import AsyncHTTPClient
import Foundation
import GatehouseCore
import NIOCore
import NIOHTTP1

/// The last stage: carries the request to its integration — proxies it (HTTP_PROXY), maps it (HTTP),
/// or answers from the mock (MOCK). A refused backend is 502, a backend slower than the timeout 504.
public struct IntegrationMiddleware: GatewayMiddleware {
    let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    /// Headers that belong to one connection and are never forwarded (RFC 9110 §7.6.1).
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer",
        "transfer-encoding", "upgrade",
    ]

    public func handle(_ request: GatewayRequest, context: inout RequestContext, next: GatewayNext) async -> GatewayResponse {
        guard let match = context.match else { return await next(request, &context) }
        guard let integration = match.method.methodIntegration, integration.type.isSupported else {
            context.errorType = GatewayResponseType.apiConfigurationError.rawValue
            return .gateway(.apiConfigurationError)
        }
        switch integration.type {
        case .mock:
            return mock(integration, request: request)
        case .http, .httpProxy:
            return await proxy(integration, request: request, context: &context, match: match)
        case .aws, .awsProxy:
            context.errorType = GatewayResponseType.apiConfigurationError.rawValue
            return .gateway(.apiConfigurationError)
        }
    }

    func mock(_ integration: Integration, request: GatewayRequest) -> GatewayResponse {
        let answer = MockIntegration.answer(integration, accept: request.head.headers.first(name: "accept"))
        var headers = HTTPHeaders()
        if let contentType = answer.contentType { headers.add(name: "Content-Type", value: contentType) }
        for header in answer.headers { headers.replaceOrAdd(name: header.name, value: header.value) }
        return GatewayResponse(status: HTTPResponseStatus(statusCode: answer.status), headers: headers,
                               body: .buffer(ByteBuffer(string: answer.body)))
    }

    func proxy(_ integration: Integration, request: GatewayRequest, context: inout RequestContext, match: Router.Match) async -> GatewayResponse {
        // Decode query and headers only when a mapping reads them (most proxies map none).
        let sources = integration.requestParameters.values
        var headerMap: [String: String] = [:]
        if sources.contains(where: { $0.hasPrefix("method.request.header.") }) {
            for (name, value) in request.head.headers { headerMap[name.lowercased()] = value }
        }
        let query = sources.contains(where: { $0.hasPrefix("method.request.querystring.") }) ? request.queryParameters : [:]
        let input = MappingInput(
            verb: request.head.method.rawValue, pathParameters: match.pathParameters, query: query,
            rawQuery: request.query, headers: headerMap, stageVariables: context.stageVariables,
            context: ["requestId": context.requestId, "stage": context.target?.stageName ?? "",
                      "identity.sourceIp": request.sourceIp ?? "", "httpMethod": request.head.method.rawValue,
                      "resourcePath": match.resource.path, "apiId": context.target?.apiId ?? ""])
        let plan: IntegrationRequestPlan
        do {
            plan = try IntegrationMapping.plan(integration, input: input)
        } catch {
            context.errorType = "API_CONFIGURATION_ERROR: \(error.description)"
            return .gateway(.apiConfigurationError)
        }
        context.integrationURL = "\(plan.method) \(plan.url)"
        var upstream = HTTPClientRequest(url: plan.url)
        upstream.method = HTTPMethod(rawValue: plan.method)
        if plan.forwardsClientRequest {
            let connectionTokens = Set(request.head.headers[canonicalForm: "connection"].map { $0.lowercased() })
            for (name, value) in request.head.headers {
                let lower = name.lowercased()
                if Self.hopByHop.contains(lower) || connectionTokens.contains(lower) || lower == "host" { continue }
                upstream.headers.add(name: name, value: value)
            }
        } else {
            for name in ["content-type", "accept"] {
                if let value = request.head.headers.first(name: name) { upstream.headers.add(name: name, value: value) }
            }
        }
        for header in plan.mappedHeaders { upstream.headers.replaceOrAdd(name: header.name, value: header.value) }
        if let ip = request.sourceIp {
            let prior = request.head.headers[canonicalForm: "x-forwarded-for"].joined(separator: ", ")
            upstream.headers.replaceOrAdd(name: "X-Forwarded-For", value: prior.isEmpty ? ip : "\(prior), \(ip)")
        }
        upstream.headers.replaceOrAdd(name: "X-Forwarded-Proto", value: "http")
        if request.body.isPresent {
            upstream.body = .stream(request.body.chunks, length: request.body.length.map { .known(Int64($0)) } ?? .unknown)
        }
        let start = NIODeadline.now()
        context.integrationStart = start
        let response: HTTPClientResponse
        do {
            response = try await client.execute(upstream, deadline: start + .milliseconds(Int64(integration.timeoutInMillis)))
        } catch {
            context.integrationLatencyMs = Double((NIODeadline.now() - start).nanoseconds) / 1_000_000
            if Self.isTimeout(error) {
                context.errorType = GatewayResponseType.integrationTimeout.rawValue
                return .gateway(.integrationTimeout)
            }
            context.errorType = "\(GatewayResponseType.integrationFailure.rawValue): \(Self.describe(error))"
            return .gateway(.integrationFailure)
        }
        context.integrationLatencyMs = Double((NIODeadline.now() - start).nanoseconds) / 1_000_000
        context.integrationStatus = Int(response.status.code)
        context.backendHeaders = response.headers.map { ($0.name, $0.value) }

        var headers = HTTPHeaders()
        let connectionTokens = Set(response.headers[canonicalForm: "connection"].map { $0.lowercased() })
        for (name, value) in response.headers {
            let lower = name.lowercased()
            if Self.hopByHop.contains(lower) || connectionTokens.contains(lower) { continue }
            headers.add(name: name, value: value)
        }
        var status = response.status
        if integration.type == .http, !integration.integrationResponses.isEmpty {
            if let selected = IntegrationResponseSelection.select(integration.integrationResponses, status: Int(response.status.code)) {
                status = HTTPResponseStatus(statusCode: Int(selected.statusCode) ?? Int(response.status.code))
                var backendHeaders: [String: String] = [:]
                for (name, value) in response.headers { backendHeaders[name.lowercased()] = value }
                for header in IntegrationResponseSelection.headers(selected, backendHeaders: backendHeaders) {
                    headers.replaceOrAdd(name: header.name, value: header.value)
                }
            }
        }
        let length = response.headers.first(name: "content-length").flatMap(Int.init)
        return GatewayResponse(status: status, headers: headers, body: .stream(response.body, expectedLength: length))
    }

    static func isTimeout(_ error: Error) -> Bool {
        if let error = error as? HTTPClientError {
            return error == .deadlineExceeded || error == .readTimeout || error == .writeTimeout
        }
        return false
    }

    static func describe(_ error: Error) -> String {
        String(describing: error).prefix(200).description
    }
}
