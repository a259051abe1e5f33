import CompressNIO
import Foundation
import GatehouseCore
import NIOCore
import NIOHTTP1

/// The integration stage for HTTP and HTTP_PROXY: builds the backend request from the compiled plan and
/// runs it on the event loop's upstream pool. Stage variables are substituted and, where the URL is fixed,
/// the endpoint is parsed at compile time; a refused backend is 502, a slow one 504. A class: each call's
/// exchange refers back to it, and a reference is one pointer where the struct was a copy of every setting.
final class ProxyStage: GatewayStage {
    let integration: Integration
    let forwardsClientRequest: Bool
    /// The endpoint and request target when the URL needs nothing from the request.
    let fixed: (endpoint: UpstreamEndpoint, target: String)?
    let selection: CompiledResponseSelection
    let timeout: TimeAmount
    let pools: UpstreamPools
    let readsHeaders: Bool
    let readsQuery: Bool

    /// Headers that belong to one connection and are never forwarded (RFC 9110 §7.6.1).
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer",
        "transfer-encoding", "upgrade",
    ]

    /// How HTTPS backends are spoken to when not the standard way (a client certificate, or no verification).
    let tls: UpstreamTLSProfile?
    /// HTTP (not proxy) integrations: the request templates, when there are any or the passthrough behavior
    /// may refuse a content type; nil leaves the body as it is, at no cost.
    let requestTemplates: CompiledTemplates?
    let passthrough: PassthroughBehavior
    /// HTTP integrations: the response templates of each integration response that has any.
    let responseTemplates: [String: CompiledTemplates]
    /// HTTP integrations: the request's contentHandling, the API's binary media types, and whether a compressed
    /// body is decompressed before a template reads it (APIs with a minimum compression size, as AWS).
    let requestHandling: ContentHandling?
    let binaryTypes: BinaryMediaTypes
    let decompressesRequests: Bool
    /// Whether some integration response has a template or a contentHandling (its body is read whole).
    let transformsResponses: Bool

    init(integration: Integration, stage: Stage, pools: UpstreamPools, tls: UpstreamTLSProfile? = nil, api: RestApi? = nil) throws(MappingError) {
        requestHandling = integration.type == .http ? ContentHandling(integration.contentHandling) : nil
        binaryTypes = BinaryMediaTypes(api?.binaryMediaTypes)
        decompressesRequests = api?.minimumCompressionSize != nil
        self.tls = tls
        var integration = integration
        guard let uri = integration.uri else { throw MappingError(description: "the integration has no uri") }
        integration.uri = try IntegrationMapping.substituteStageVariables(in: uri, variables: stage.variables)
        self.integration = integration
        forwardsClientRequest = integration.type == .httpProxy
        let resolved = integration.uri ?? uri
        if !resolved.contains("{"), integration.requestParameters.isEmpty {
            guard let parsed = UpstreamEndpoint.parse(resolved) else {
                throw MappingError(description: "'\(resolved)' is not an http:// or https:// URL")
            }
            fixed = (parsed.endpoint.with(tls: tls), parsed.target)
        } else {
            fixed = nil
        }
        selection = CompiledResponseSelection(integration.integrationResponses)
        timeout = .milliseconds(Int64(integration.timeoutInMillis))
        self.pools = pools
        passthrough = PassthroughBehavior(integration.passthroughBehavior)
        var responseTemplates: [String: CompiledTemplates] = [:]
        do {
            let request = try CompiledTemplates(integration.requestTemplates, role: "request")
            requestTemplates = integration.type == .http && (!request.isEmpty || passthrough != .whenNoMatch) ? request : nil
            if integration.type == .http {
                for (key, response) in integration.integrationResponses {
                    let templates = try CompiledTemplates(response.responseTemplates, role: "\(key) response")
                    if !templates.isEmpty { responseTemplates[Self.responseKey(response)] = templates }
                }
            }
        } catch {
            throw MappingError(description: error.description)
        }
        self.responseTemplates = responseTemplates
        transformsResponses = integration.type == .http
            && (!responseTemplates.isEmpty || integration.integrationResponses.values.contains { ContentHandling($0.contentHandling) != nil })
        let sources = integration.requestParameters.values
        readsHeaders = sources.contains { $0.hasPrefix("method.request.header.") }
        readsQuery = sources.contains { $0.hasPrefix("method.request.querystring.") }
    }

    static func responseKey(_ response: IntegrationResponse) -> String {
        response.statusCode + "\u{1F}" + (response.selectionPattern ?? "")
    }

    func handle(_ request: GatewayRequest, context: RequestContext, next: GatewayNext) -> StageResult {
        guard integration.type == .http, requestTemplates != nil || requestHandling != nil else { return forward(request, context: context) }
        let contentType = request.head.headers.first(name: "content-type")
        var template: (type: String, template: VelocityTemplate)?
        switch requestTemplates?.decide(contentType: contentType, behavior: passthrough) ?? .passThrough {
        case .passThrough:
            break
        case .unsupported:
            return .response(context.fail(.unsupportedMediaType, detail: "no request template for the content type, and the passthrough behavior refuses it"))
        case .template(let type, let chosen):
            template = (type, chosen)
        }
        let binary = binaryTypes.contains(contentType)
        guard template != nil || PayloadConversion.convertsRequest(handling: requestHandling, binary: binary) else {
            return forward(request, context: context)
        }
        // The body is read whole, decompressed (where the API takes compressed bodies), converted as
        // contentHandling says and rendered by the template; what comes out is the backend's body.
        let encoding = decompressesRequests && template != nil ? request.head.headers.first(name: "content-encoding")?.lowercased() : nil
        let pending = PendingResponse()
        BodyCollector.read(request) { result in
            switch result {
            case .failure(let error):
                pending.complete(context.fail(.badRequestBody, detail: "the body could not be read: \(error)"))
            case .success(let read):
                switch self.transformed(read.bytes, request: request, context: context, template: template, binary: binary, encoding: encoding) {
                case .refused(let response):
                    pending.complete(response)
                case .body(let bytes):
                    var mapped = request
                    let body = RequestBody(length: bytes.count)
                    if !bytes.isEmpty { body.append(ByteBuffer(bytes: bytes)) }
                    body.finish()
                    mapped.body = body
                    pending.complete(with: self.forward(mapped, context: context))
                }
            }
        }
        return .pending(pending)
    }

    /// What a request body becomes on its way to the backend, or the answer that refuses it.
    private enum Transformed {
        case body([UInt8])
        case refused(GatewayResponse)
    }

    private func transformed(_ read: [UInt8], request: GatewayRequest, context: RequestContext,
                             template: (type: String, template: VelocityTemplate)?, binary: Bool, encoding: String?) -> Transformed {
        var bytes = read
        if let encoding, encoding == "gzip" || encoding == "deflate" {
            var buffer = ByteBuffer(bytes: bytes)
            let algorithm: CompressionAlgorithm = encoding == "gzip" ? .gzip() : .deflate()
            guard let decoded = try? buffer.decompress(with: algorithm, maxSize: ResponseCollector.defaultLimit) else {
                return .refused(context.fail(.badRequestBody, message: GatewayResponseType.badRequestBody.message,
                                             detail: "the body is not valid \(encoding) (Content-Encoding: \(encoding))"))
            }
            bytes = Array(decoded.readableBytesView)
        }
        do {
            bytes = try PayloadConversion.request(bytes, handling: requestHandling, binary: binary, templated: template != nil)
        } catch {
            return .refused(context.fail(.badRequestBody, message: GatewayResponseType.badRequestBody.message, detail: error.description))
        }
        guard let template else { return .body(bytes) }
        do {
            return .body(Array(try template.template.render(context.templateInput(request, body: bytes)).utf8))
        } catch {
            return .refused(context.fail(.apiConfigurationError, detail: "Execution failed due to configuration error: "
                + "Unable to transform request: the request template for \(template.type): \(error)"))
        }
    }

    /// Sends the request (its body as it is, or as a request template rendered it) to the backend.
    private func forward(_ request: GatewayRequest, context: RequestContext) -> StageResult {
        guard let pool = pools.pool(for: context.eventLoop) else {
            return .response(context.fail(.apiConfigurationError, detail: "no upstream pool on this event loop"))
        }
        let endpoint: UpstreamEndpoint
        var target: String
        var mapped: [(name: String, value: String)] = []
        var verb = request.head.method
        if let fixed {
            endpoint = fixed.endpoint
            target = fixed.target
            if forwardsClientRequest, let query = request.query, !query.isEmpty {
                target += (target.contains("?") ? "&" : "?") + query
            }
            if let method = integration.httpMethod?.uppercased(), method != "ANY" { verb = HTTPMethod(rawValue: method) }
        } else {
            let plan: IntegrationRequestPlan
            do {
                plan = try IntegrationMapping.plan(integration, input: mappingInput(request, context))
            } catch {
                return .response(context.fail(.apiConfigurationError, detail: error.description))
            }
            guard let parsed = UpstreamEndpoint.parse(plan.url) else {
                return .response(context.fail(.apiConfigurationError, detail: "'\(plan.url)' is not an http:// or https:// URL"))
            }
            endpoint = parsed.endpoint.with(tls: tls)
            target = parsed.target
            mapped = plan.mappedHeaders
            verb = HTTPMethod(rawValue: plan.method)
        }
        // The head is written as bytes in one pass: the client's headers (for HTTP_PROXY) less hop-by-hop ones
        // and those the gateway sets, the mapped ones, then the forwarding and framing fields.
        let logs = context.method?.executionLogging != .off
        var logged: [(String, String)] = []
        var bytes = ByteBufferAllocator().buffer(capacity: 512)
        HTTPHeadWriter.writeRequestLine(method: verb, target: target, into: &bytes)
        func field(_ name: String, _ value: String) {
            HTTPHeadWriter.writeHeaderField(name, value, into: &bytes)
            if logs { logged.append((name, value)) }
        }
        let replacesForwardedFor = request.sourceIp != nil
        func setByGateway(_ name: String) -> Bool {
            switch name.utf8.count {
            case 4: return Self.equalsIgnoringCase(name, "host")
            case 14: return Self.equalsIgnoringCase(name, "content-length")
            case 15: return replacesForwardedFor && Self.equalsIgnoringCase(name, "x-forwarded-for")
            case 17: return Self.equalsIgnoringCase(name, "x-forwarded-proto")
            default: return false
            }
        }
        field("Host", endpoint.hostHeader)
        if forwardsClientRequest {
            let tokens = Self.connectionTokens(request.head.headers)
            for (name, value) in request.head.headers where !Self.isHopByHop(name, connectionTokens: tokens) && !setByGateway(name) {
                if !mapped.isEmpty, mapped.contains(where: { Self.equalsIgnoringCase(name, $0.name) }) { continue }
                field(name, value)
            }
        } else {
            for name in ["content-type", "accept"] where !mapped.contains(where: { Self.equalsIgnoringCase(name, $0.name) }) {
                if let value = request.head.headers.first(name: name) { field(name, value) }
            }
        }
        for header in mapped where !setByGateway(header.name) { field(header.name, header.value) }
        if let ip = request.sourceIp {
            var forwarded = ""
            for (name, value) in request.head.headers where name.utf8.count == 15 && Self.equalsIgnoringCase(name, "x-forwarded-for") {
                forwarded += value + ", "
            }
            field("X-Forwarded-For", forwarded + ip)
        }
        field("X-Forwarded-Proto", request.tls == nil ? "http" : "https")
        if let body = request.body {
            if let length = body.length {
                field("Content-Length", String(length))
            } else {
                field("Transfer-Encoding", "chunked")
            }
        } else if verb == .POST || verb == .PUT || verb == .PATCH {
            field("Content-Length", "0")
        }
        HTTPHeadWriter.writeEndOfHead(into: &bytes)
        if logs {
            // Only execution logging reads these; a call without it does not build them.
            context.integrationURL = "\(verb.rawValue) \(endpoint.secure ? "https" : "http")://\(endpoint.hostHeader)\(target)"
            context.integrationHeaders = logged
        }
        let head = UpstreamRequestHead(method: verb, bytes: bytes)
        let choice = transformsResponses ? ResponseTemplateChoice(accept: request.head.headers.first(name: "accept")) : nil
        let exchange = UpstreamExchange(endpoint: endpoint, head: head, body: request.body, timeout: timeout, context: context, pool: pool,
                                        stage: self, choice: choice)
        exchange.begin()
        guard let choice else { return .pending(exchange.pending) }
        // A response template needs the backend's whole body before the method's response can start.
        let templated = PendingResponse()
        exchange.pending.whenComplete { response in
            guard choice.transforms, case .stream(let source, _) = response.body else {
                templated.complete(response)
                return
            }
            ResponseCollector.collect(source) { result in
                switch result {
                case .failure(let error):
                    templated.complete(context.fail(.integrationFailure, detail: "the backend's body could not be read: \(error)"))
                case .success(let bytes):
                    var mapped = response
                    for name in ["content-length", "etag"] { mapped.headers.remove(name: name) }
                    guard let (type, template) = choice.template else {
                        mapped.body = .buffer(ByteBuffer(bytes: PayloadConversion.response(bytes, handling: choice.handling, binary: choice.binary)))
                        templated.complete(mapped)
                        return
                    }
                    do {
                        // A template reads a binary body as its base64 text (AWS's table).
                        let input = choice.binary ? Array(Data(bytes).base64EncodedString().utf8) : bytes
                        let text = try template.render(context.templateInput(request, body: input))
                        mapped.headers.remove(name: "content-encoding")
                        if !choice.contentTypeMapped { mapped.headers.replaceOrAdd(name: "Content-Type", value: type) }
                        mapped.body = .buffer(ByteBuffer(bytes: PayloadConversion.response(Array(text.utf8), handling: choice.handling, binary: false)))
                        templated.complete(mapped)
                    } catch {
                        templated.complete(context.fail(.apiConfigurationError, detail: "Execution failed due to configuration error: "
                            + "Unable to transform response: the \(response.status.code) response template for \(type): \(error)"))
                    }
                }
            }
        }
        return .pending(templated)
    }

    /// The method's response from the backend's head: its end-to-end headers (the parser dropped the hop-by-hop
    /// ones), and for HTTP the selected integration response's status and header mappings.
    func response(_ head: UpstreamResponseHead, facts: ResponseHeadFacts, source: UpstreamExchange, context: RequestContext,
                          choice: ResponseTemplateChoice?) -> GatewayResponse {
        // The backend's headers as they are, less the hop-by-hop ones: the parser made that list once for the
        // backend connection's head and hands it out while the head repeats.
        var headers = head.endToEnd
        if context.method?.executionLogging != .off { context.backendHeaders = head.headers.map { ($0.name, $0.value) } }
        var status = head.status
        if integration.type == .http, !selection.isEmpty, let selected = selection.select(status: Int(head.status.code)) {
            status = HTTPResponseStatus(statusCode: Int(selected.statusCode) ?? Int(head.status.code))
            var backendHeaders: [String: String] = [:]
            for (name, value) in head.headers { backendHeaders[name.lowercased()] = value }
            for header in IntegrationResponseSelection.headers(selected, backendHeaders: backendHeaders) {
                headers.replaceOrAdd(name: header.name, value: header.value)
            }
            if let choice {
                choice.template = responseTemplates[Self.responseKey(selected)]?.response(accept: choice.accept)
                choice.contentTypeMapped = selected.responseParameters.keys.contains { $0.lowercased() == "method.response.header.content-type" }
                choice.handling = ContentHandling(selected.contentHandling)
                choice.binary = binaryTypes.contains(head.headers.first(name: "content-type"))
            }
        }
        return GatewayResponse(status: status, headers: headers, body: .stream(source, expectedLength: facts.contentLength))
    }

    private func mappingInput(_ request: GatewayRequest, _ context: RequestContext) -> MappingInput {
        var headerMap: [String: String] = [:]
        if readsHeaders {
            for (name, value) in request.head.headers { headerMap[name.lowercased()] = value }
        }
        let match = context.match
        return MappingInput(
            verb: request.head.method.rawValue, pathParameters: match?.pathParameters ?? [:], query: readsQuery ? request.queryParameters : [:],
            rawQuery: request.query, headers: headerMap, stageVariables: context.stageVariables,
            context: context.mappingContext(request))
    }

    /// The header names a message's `Connection` header lists, beyond the hop-by-hop ones every message drops
    /// (`keep-alive` and `close`, the usual values, are answered without splitting).
    static func connectionTokens(_ headers: HTTPHeaders) -> [Substring] {
        guard let value = headers.first(name: "connection") else { return [] }
        if equalsIgnoringCase(value, "keep-alive") || equalsIgnoringCase(value, "close") {
            if !headers.contains(where: { $0.name.utf8.count == 10 && equalsIgnoringCase($0.name, "connection") && $0.value != value }) { return [] }
        }
        return headers[canonicalForm: "connection"]
    }

    /// Whether a header is hop-by-hop, or named by the message's `Connection` header. Compared byte by
    /// byte, without lowercasing copies (this runs for every header of every proxied call).
    static func isHopByHop(_ name: String, connectionTokens: [Substring]) -> Bool {
        let count = name.utf8.count
        if count >= 2, count <= 19, hopByHopByLength[count]?.contains(where: { equalsIgnoringCase(name, $0) }) == true { return true }
        return !connectionTokens.isEmpty && connectionTokens.contains { equalsIgnoringCase(name, $0) }
    }

    static let hopByHopByLength: [Int: [String]] = Dictionary(grouping: hopByHop, by: { $0.utf8.count })

    /// ASCII case-insensitive equality, without allocating; over the two strings' bytes in place when both are
    /// contiguous (native strings always are), as `zip` over two UTF-8 views cost a percent of a proxied call.
    static func equalsIgnoringCase(_ a: String, _ b: some StringProtocol) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        let contiguous = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in
                for i in 0..<x.count where !sameIgnoringCase(x[i], y[i]) { return false }
                return true
            }
        }
        if let contiguous = contiguous ?? nil { return contiguous }
        return zip(a.utf8, b.utf8).allSatisfy(sameIgnoringCase)
    }

    @inline(__always)
    private static func sameIgnoringCase(_ x: UInt8, _ y: UInt8) -> Bool {
        x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= UInt8(ascii: "a") && (x | 0x20) <= UInt8(ascii: "z"))
    }
}

/// Which response template a call's backend answer selected, made only for methods that have response templates.
final class ResponseTemplateChoice {
    let accept: String?
    var template: (contentType: String, template: VelocityTemplate)?
    /// The integration response maps `Content-Type` itself; the template's type does not replace it.
    var contentTypeMapped = false
    /// The selected response's contentHandling, and whether the backend's body is binary for the API.
    var handling: ContentHandling?
    var binary = false

    /// Whether the body must be read whole: a template renders it or a conversion applies.
    var transforms: Bool {
        template != nil || (binary ? handling == .convertToText : handling == .convertToBinary)
    }

    init(accept: String?) {
        self.accept = accept
    }
}
