import GatehouseCore
import NIOCore
import NIOHTTP1

/// Answers from a MOCK integration whose status, headers and bodies were worked out at compile time: a call
/// only looks up the answer for its `Accept`.
struct MockStage: GatewayStage {
    let byAccept: [String: PreparedResponse]
    let fallback: PreparedResponse

    init(mock: CompiledMock) {
        let status = HTTPResponseStatus(statusCode: mock.status)
        func answer(_ accept: String?) -> PreparedResponse {
            let chosen = mock.answer(accept: accept)
            var headers = HTTPHeaders()
            if let contentType = chosen.contentType { headers.add(name: "Content-Type", value: contentType) }
            // Mapped headers come last, so a mapped Content-Type wins over the template's.
            for header in mock.headers { headers.replaceOrAdd(name: header.name, value: header.value) }
            return PreparedResponse(status: status, headers: headers, body: ByteBuffer(bytes: mock.bytes(of: chosen.body)))
        }
        var byAccept: [String: PreparedResponse] = [:]
        for contentType in mock.contentTypes { byAccept[contentType] = answer(contentType) }
        self.byAccept = byAccept
        fallback = answer(nil)
    }

    func handle(_ request: GatewayRequest, context: RequestContext, next: GatewayNext) -> StageResult {
        let answer = byAccept.isEmpty ? fallback : request.head.headers.first(name: "accept").flatMap { byAccept[$0] } ?? fallback
        return .response(answer.response)
    }
}

/// A MOCK whose templates read the request (or whose passthrough behavior may refuse it): the body is read and
/// the templates, parsed once per configuration, are rendered for each call. A template that fails is a 500
/// whose execution log names the template and the line.
struct TemplatedMockStage: GatewayStage {
    let mock: TemplatedMock

    func handle(_ request: GatewayRequest, context: RequestContext, next: GatewayNext) -> StageResult {
        let pending = PendingResponse()
        BodyCollector.read(request) { result in
            switch result {
            case .failure(let error):
                pending.complete(context.fail(.badRequestBody, detail: "the body could not be read: \(error)"))
            case .success(let (_, bytes)):
                let outcome = mock.answer(context.templateInput(request, body: bytes), contentType: request.head.headers.first(name: "content-type"),
                                          accept: request.head.headers.first(name: "accept"))
                pending.complete(Self.response(outcome, context: context))
            }
        }
        return .pending(pending)
    }

    static func response(_ outcome: TemplatedMock.Outcome, context: RequestContext) -> GatewayResponse {
        switch outcome {
        case .answer(let status, let mapped, let contentType, let body):
            var headers = HTTPHeaders()
            if let contentType { headers.add(name: "Content-Type", value: contentType) }
            for header in mapped { headers.replaceOrAdd(name: header.name, value: header.value) }
            return GatewayResponse(status: HTTPResponseStatus(statusCode: status), headers: headers, body: .buffer(ByteBuffer(bytes: body)))
        case .unsupportedMediaType:
            return context.fail(.unsupportedMediaType, detail: "no request template for the content type, and the passthrough behavior refuses it")
        case .failed(let detail):
            return context.fail(.apiConfigurationError, detail: "Execution failed due to configuration error: " + detail)
        }
    }
}
