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
        /// Content type → template; empty keeps the default body.
        let templates: [String: String]
    }

    let entries: [GatewayResponseType: Entry]

    init?(_ settings: [String: GatewayResponseSetting]?) {
        guard let settings, !settings.isEmpty else { return nil }
        var entries: [GatewayResponseType: Entry] = [:]
        for type in GatewayResponseType.allCases {
            guard let setting = GatewayResponseSetting.effective(for: type.rawValue, defaultStatus: type.statusCode, in: settings) else { continue }
            let prefix = "gatewayresponse.header."
            entries[type] = Entry(status: setting.statusCode.flatMap(Int.init).map { HTTPResponseStatus(statusCode: $0) },
                                  headers: setting.responseParameters.keys.sorted().map { (String($0.dropFirst(prefix.count)), setting.responseParameters[$0] ?? "") },
                                  templates: setting.responseTemplates)
        }
        self.entries = entries
    }

    /// `response` (a gateway-made answer of `type` saying `message`) as the API customized it.
    func apply(to response: GatewayResponse, type: GatewayResponseType, message: String, head: HTTPRequestHead, context: RequestContext) -> GatewayResponse {
        guard let entry = entries[type] else { return response }
        var customized = response
        if let status = entry.status { customized.status = status }
        let variables = Self.variables(type: type, message: message, head: head, context: context)
        for (name, source) in entry.headers {
            guard let value = Self.value(of: source, head: head, context: context, variables: variables) else { continue }
            customized.headers.replaceOrAdd(name: name, value: value)
        }
        if !entry.templates.isEmpty {
            let accept = head.headers.first(name: "accept")
            let contentType = accept.flatMap { entry.templates[$0] != nil ? $0 : nil }
                ?? (entry.templates["application/json"] != nil ? "application/json" : entry.templates.keys.sorted().first ?? "application/json")
            let body = Self.render(entry.templates[contentType] ?? "", variables: variables, stageVariables: context.stageVariables)
            customized.body = .buffer(ByteBuffer(string: body))
            customized.headers.replaceOrAdd(name: "Content-Type", value: contentType)
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
            let name = String(source.dropFirst("method.request.querystring.".count))
            return GatewayRequest(head: head, body: nil, remoteAddress: nil).queryParameters[name]
        }
        if source.hasPrefix("method.request.path.") { return context.match?.pathParameters[String(source.dropFirst("method.request.path.".count))] }
        if source.hasPrefix("stageVariables.") { return context.stageVariables[String(source.dropFirst("stageVariables.".count))] }
        if source.hasPrefix("context.") { return variables[String(source.dropFirst("context.".count))] }
        return nil
    }

    /// Replaces `$context.NAME` and `$stageVariables.NAME` (also written `${context.NAME}`) in a body template;
    /// an unknown name renders empty, as Velocity's quiet references do.
    static func render(_ template: String, variables: [String: String], stageVariables: [String: String]) -> String {
        var output = ""
        var rest = Substring(template)
        while let dollar = rest.firstIndex(of: "$") {
            output += rest[..<dollar]
            var tail = rest[rest.index(after: dollar)...]
            let braced = tail.first == "{"
            if braced { tail = tail.dropFirst() }
            let nameEnd = tail.firstIndex { !($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") } ?? tail.endIndex
            var name = String(tail[..<nameEnd])
            while name.hasSuffix(".") { name.removeLast() }
            let consumed = tail.index(tail.startIndex, offsetBy: name.count)
            let value: String?
            if name.hasPrefix("context.") {
                value = variables[String(name.dropFirst("context.".count))] ?? ""
            } else if name.hasPrefix("stageVariables.") {
                value = stageVariables[String(name.dropFirst("stageVariables.".count))] ?? ""
            } else {
                value = nil
            }
            guard let value, !braced || tail[consumed...].first == "}" else {
                output += "$"
                rest = rest[rest.index(after: dollar)...]
                continue
            }
            output += value
            rest = braced ? tail[tail.index(after: consumed)...] : tail[consumed...]
        }
        return output + rest
    }
}
