/// What a test invocation of a method answered (AWS's TestInvokeMethod and TestInvokeAuthorizer results), shared by
/// the worker that runs it and the management API that reports it.
public struct TestInvocation: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var latencyMs: Int
    public var log: [String]
    public var principalId: String?
    public var authorizerContext: [String: String]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8], latencyMs: Int, log: [String], principalId: String?,
                authorizerContext: [String: String]) {
        self.status = status
        self.headers = headers
        self.body = body
        self.latencyMs = latencyMs
        self.log = log
        self.principalId = principalId
        self.authorizerContext = authorizerContext
    }
}
