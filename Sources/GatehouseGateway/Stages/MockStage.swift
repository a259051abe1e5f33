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
