import GatehouseCore
import NIOHTTP1

/// The resource policy stage, first after routing: the API's policy is evaluated for the anonymous caller
/// (statements for everyone) against the call's ARN, source address and headers. An explicit Deny is 403 for
/// every method; a method without authorization needs an Allow. For authorized methods the authorizer decides
/// what the policy leaves open (AWS's evaluation table), and an AWS_IAM method's signer is matched against the
/// named principals by the SigV4 stage.
struct ResourcePolicyStage: GatewayStage {
    let policy: ResourcePolicy
    let identity: SigningIdentity
    /// The method has no authorization of its own: only an Allow lets a call through.
    let requiresAllow: Bool

    func handle(_ request: GatewayRequest, context: RequestContext, next: GatewayNext) -> StageResult {
        let arn = SigV4.resourceArn(region: identity.region, account: identity.account, apiId: context.target?.apiId ?? "",
                                    stage: context.target?.stageName ?? "", verb: request.head.method.rawValue, path: context.stagePath ?? request.path)
        switch policy.decide(Self.request(request, arn: arn, principal: nil)) {
        case .explicitDeny:
            return .response(Self.refuse(context, user: "anonymous", arn: arn, explicit: true))
        case .noMatch where requiresAllow:
            return .response(Self.refuse(context, user: "anonymous", arn: arn, explicit: false))
        case .allow, .noMatch:
            return next(request, context)
        }
    }

    static func request(_ request: GatewayRequest, arn: String, principal: String?) -> ResourcePolicy.Request {
        let headers = request.head.headers
        return ResourcePolicy.Request(resourceArn: arn, sourceIp: request.sourceIp ?? "", principal: principal) { headers.first(name: $0) }
    }

    /// AWS's refusal: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ARN [with an explicit deny]`.
    static func refuse(_ context: RequestContext, user: String, arn: String, explicit: Bool) -> GatewayResponse {
        let message = "User: \(user) is not authorized to perform: execute-api:Invoke on resource: \(arn)" + (explicit ? " with an explicit deny" : "")
        return context.fail(.accessDenied, message: message, errorType: "AccessDeniedException")
    }
}
