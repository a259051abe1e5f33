import GatehouseCore
import NIOCore
import NIOHTTP1

/// Answers from a MOCK integration whose status, headers and bodies were worked out at compile time: a call
/// only looks up the answer for its `Accept`.
struct MockStage: GatewayStage {
    struct Answer: Sendable {
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    let status: HTTPResponseStatus
    let byAccept: [String: Answer]
    let fallback: Answer

    init(mock: CompiledMock) {
        status = HTTPResponseStatus(statusCode: mock.status)
        func answer(_ accept: String?) -> Answer {
            let chosen = mock.answer(accept: accept)
            var headers = HTTPHeaders()
            if let contentType = chosen.contentType { headers.add(name: "Content-Type", value: contentType) }
            // Mapped headers come last, so a mapped Content-Type wins over the template's.
            for header in mock.headers { headers.replaceOrAdd(name: header.name, value: header.value) }
            return Answer(headers: headers, body: ByteBuffer(string: chosen.body))
        }
        var byAccept: [String: Answer] = [:]
        for contentType in mock.contentTypes { byAccept[contentType] = answer(contentType) }
        self.byAccept = byAccept
        fallback = answer(nil)
    }

    func handle(_ request: GatewayRequest, context: RequestContext, next: GatewayNext) -> StageResult {
        let answer = byAccept.isEmpty ? fallback : request.head.headers.first(name: "accept").flatMap { byAccept[$0] } ?? fallback
        return .response(GatewayResponse(status: status, headers: answer.headers, body: .buffer(answer.body)))
    }
}
