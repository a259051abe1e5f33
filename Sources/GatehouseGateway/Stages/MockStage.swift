import GatehouseCore
import NIOCore
import NIOHTTP1

/// Answers from a MOCK integration whose status, headers and bodies were worked out at compile time.
struct MockStage: GatewayStage {
    let status: HTTPResponseStatus
    let headers: HTTPHeaders
    let mock: CompiledMock

    init(mock: CompiledMock) {
        self.mock = mock
        status = HTTPResponseStatus(statusCode: mock.status)
        var headers = HTTPHeaders()
        for header in mock.headers { headers.replaceOrAdd(name: header.name, value: header.value) }
        self.headers = headers
    }

    func handle(_ request: GatewayRequest, context: RequestContext, next: GatewayNext) -> StageResult {
        let answer = mock.answer(accept: request.head.headers.first(name: "accept"))
        var headers = HTTPHeaders()
        if let contentType = answer.contentType { headers.add(name: "Content-Type", value: contentType) }
        // Mapped headers come last, so a mapped Content-Type wins over the template's.
        for (name, value) in self.headers { headers.replaceOrAdd(name: name, value: value) }
        return .response(GatewayResponse(status: status, headers: headers, body: .buffer(ByteBuffer(string: answer.body))))
    }
}
