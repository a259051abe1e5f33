import GatehouseCore
import NIOCore
import NIOHTTP1

/// An API's customized gateway responses, worked out once per configuration for every response type this
/// gateway answers (the type's own setting over DEFAULT_4XX / DEFAULT_5XX): its status, its headers (literal,
/// or read from the request, the context or the stage variables) and its body templates. Nil for an API that
/// customizes nothing, so such an API pays nothing.
final class CompiledGatewayResponses: Sendable {
    struct Entry: Sendable {
        let status: HTTPResponseStatus?
        let headers: [(name: String, source: String)]
        /// Content type → mapping template, parsed once; empty keeps the default body.
        let templates: CompiledTemplates?
    }

    let entries: [GatewayResponseType: Entry]

    init?(_ settings: [String: GatewayResponseSetting]?) {
        guard let settings, !settings.isEmpty else { return nil }
        var entries: [GatewayResponseType: Entry] = [:]
        for type in GatewayResponseType.allCases {
            guard let setting = GatewayResponseSetting.effective(for: type.rawValue, defaultStatus: type.statusCode, in: settings) else { continue }
            let prefix = "gatewayresponse.header."
            // A template that does not parse (the store edited behind the importer's back) keeps the default body.
            let templates = try? CompiledTemplates(setting.responseTemplates, role: "\(type.rawValue) gateway response")
            entries[type] = Entry(status: setting.statusCode.flatMap(Int.init).map { HTTPResponseStatus(statusCode: $0) },
                                  headers: setting.responseParameters.keys.sorted().map { (String($0.dropFirst(prefix.count)), setting.responseParameters[$0] ?? "") },
                                  templates: templates?.isEmpty == false ? templates : nil)
        }
        self.entries = entries
    }

    /// `response` (a gateway-made answer of `type` saying `message`) as the API customized it.
    func apply(to response: GatewayResponse, type: GatewayResponseType, message: String, head: HTTPRequestHead, context requestContext: RequestContext) -> GatewayResponse {
        let context = requestContext
        guard let entry = entries[type] else { return response }
        var customized = response
        if let status = entry.status { customized.status = status }
        let variables = Self.variables(type: type, message: message, head: head, context: context)
        for (name, source) in entry.headers {
            guard let value = Self.value(of: source, head: head, context: context, variables: variables) else { continue }
            customized.headers.replaceOrAdd(name: name, value: value)
        }
        if let templates = entry.templates, let (contentType, template) = templates.response(accept: head.headers.first(name: "accept")) {
            var values = variables
            for (name, value) in context.authorizerClaims { values["authorizer.claims." + name] = value }
            for (name, value) in context.authorizerContext { values["authorizer." + name] = value }
            if let principal = context.principalId { values["authorizer.principalId"] = principal }
            let input = TemplateInput(pathParameters: context.match?.pathParameters ?? [:], queryParameters: Self.query(head),
                                      headers: head.headers.map { ($0.name, $0.value) }, context: values, stageVariables: context.stageVariables)
            // A template that fails to render keeps the default body: the gateway's own answer must still go out.
            if let body = try? template.render(input) {
                customized.body = .buffer(ByteBuffer(string: body))
                customized.headers.replaceOrAdd(name: "Content-Type", value: contentType)
            }
        }
        return customized
    }

    /// The `$context` values a gateway response can read.
    static func variables(type: GatewayResponseType, message: String, head: HTTPRequestHead, context: RequestContext) -> [String: String] {
        [
            "error.message": message, "error.messageString": DocValue.quote(message), "error.responseType": type.rawValue,
            "requestId": context.requestId, "extendedRequestId": context.requestId, "apiId": context.target?.apiId ?? "",
            "stage": context.target?.stageName ?? "", "resourcePath": context.match?.resourcePath ?? "", "httpMethod": head.method.rawValue,
            "domainName": context.domainName ?? head.headers.first(name: "host") ?? "", "path": context.stagePath ?? head.uri,
        ]
    }

    /// A header's value from its source (AWS's mapping expressions for gateway responses).
    static func value(of source: String, head: HTTPRequestHead, context: RequestContext, variables: [String: String]) -> String? {
        if source.hasPrefix("'"), source.hasSuffix("'"), source.count >= 2 { return String(source.dropFirst().dropLast()) }
        if source.hasPrefix("method.request.header.") { return head.headers.first(name: String(source.dropFirst("method.request.header.".count))) }
        if source.hasPrefix("method.request.querystring.") {
            return query(head)[String(source.dropFirst("method.request.querystring.".count))]
        }
        if source.hasPrefix("method.request.path.") { return context.match?.pathParameters[String(source.dropFirst("method.request.path.".count))] }
        if source.hasPrefix("stageVariables.") { return context.stageVariables[String(source.dropFirst("stageVariables.".count))] }
        if source.hasPrefix("context.") { return variables[String(source.dropFirst("context.".count))] }
        return nil
    }

    /// The request's query parameters (decoded as the pipeline decodes them).
    static func query(_ head: HTTPRequestHead) -> [String: String] {
        guard let mark = head.uri.firstIndex(of: "?") else { return [:] }
        var result: [String: String] = [:]
        for (name, value) in QueryString.pairs(String(head.uri[head.uri.index(after: mark)...])) { result[name] = value }
        return result
    }
}
