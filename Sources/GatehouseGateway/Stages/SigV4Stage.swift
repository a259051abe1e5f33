import Crypto
import Foundation
import GatehouseCore
import NIOCore

/// The authorize stage of an `AWS_IAM` method: the call must carry a Signature Version 4 for `execute-api`
/// (header or presigned query) made with a live credential, within five minutes of now, over the request as
/// received — body included, hashed as it arrives and then handed on to the integration — and the credential's
/// allow list must cover the call's resource ARN. Every refusal is 403 with AWS's message and error type.
final class SigV4Stage: GatewayStage {
    let credentials: [String: GatewayConfiguration.ServedCredential]
    /// Why no credential could be read (the key file); a signed call is then refused with 500, never admitted.
    let problem: String?
    let identity: SigningIdentity
    /// The API's resource policy: a statement naming the signer denies (explicitly) or allows beyond the
    /// credential's own allow list, as IAM and resource policies combine in AWS.
    let policy: ResourcePolicy?
    let clock: @Sendable () -> Date

    init(credentials: [String: GatewayConfiguration.ServedCredential], problem: String?, identity: SigningIdentity,
         policy: ResourcePolicy? = nil, clock: @escaping @Sendable () -> Date) {
        self.credentials = credentials
        self.problem = problem
        self.identity = identity
        self.policy = policy
        self.clock = clock
    }

    func handle(_ request: GatewayRequest, context: RequestContext, next: GatewayNext) -> StageResult {
        context.authorizerName = "sigv4"
        context.authorizerType = "AWS_IAM"
        let headers = request.head.headers
        let signature: SigV4.Signature
        let credential: GatewayConfiguration.ServedCredential
        do {
            signature = try SigV4.signature(authorization: headers.first(name: "authorization"), query: request.query,
                                            header: { headers.first(name: $0) })
            try SigV4.checkScopeAndTime(signature, region: identity.region, now: clock())
            guard let found = credentials[signature.accessKeyId] else {
                if let problem {
                    return .response(context.fail(.apiConfigurationError, detail: "signed calls cannot be verified: \(problem)"))
                }
                throw SigV4.Failure.unknownKey
            }
            credential = found
        } catch {
            return .response(refuse(error, context: context))
        }
        let declared = signature.declaredPayloadHash
        guard let body = request.body else {
            if let refusal = verify(signature, credential: credential, payloadHash: declared ?? SigV4.emptyPayloadHash,
                                    bodyHash: SigV4.emptyPayloadHash, request: request, context: context) {
                return .response(refusal)
            }
            return next(request, context)
        }
        // The body must arrive before the signature can be checked: it is read (the connection's body limit
        // bounds it), hashed, and replayed to the rest of the chain.
        let pending = PendingResponse()
        let collector = BodyCollector(length: body.length) { [self] result in
            switch result {
            case .failure(let error):
                pending.complete(context.fail(.badRequestBody, detail: "the body could not be read: \(error)"))
            case .success(let (replay, hash, _)):
                if let refusal = verify(signature, credential: credential, payloadHash: declared ?? hash, bodyHash: hash,
                                        request: request, context: context) {
                    pending.complete(refusal)
                    return
                }
                var forwarded = request
                forwarded.body = replay
                pending.complete(with: next(forwarded, context))
            }
        }
        body.attach(collector)
        return .pending(pending)
    }

    /// Checks the signature over the request; nil when it holds and the credential may invoke the resource.
    private func verify(_ signature: SigV4.Signature, credential: GatewayConfiguration.ServedCredential, payloadHash: String,
                        bodyHash: String, request: GatewayRequest, context: RequestContext) -> GatewayResponse? {
        do {
            try SigV4.verify(signature, secret: credential.secret, method: request.head.method.rawValue, target: request.head.uri,
                             headers: request.head.headers.map { ($0.name, $0.value) }, payloadHash: payloadHash, bodyHash: bodyHash)
            let user = SigV4.userArn(account: identity.account, name: credential.name)
            let resource = SigV4.resourceArn(region: identity.region, account: identity.account, apiId: context.target?.apiId ?? "",
                                             stage: context.target?.stageName ?? "", verb: request.head.method.rawValue,
                                             path: context.stagePath ?? request.path)
            let decision = policy?.decide(ResourcePolicyStage.request(request, arn: resource, principal: user)) ?? .noMatch
            if decision == .explicitDeny { return ResourcePolicyStage.refuse(context, user: user, arn: resource, explicit: true) }
            guard decision == .allow || credential.allow.contains(where: { Credential.wildcard($0, matches: resource) }) else {
                throw SigV4.Failure.notAuthorized(user: user, resource: resource)
            }
            context.callerAccessKey = credential.accessKeyId
            context.callerArn = user
            return nil
        } catch {
            return refuse(error, context: context)
        }
    }

    private func refuse(_ error: any Error, context: RequestContext) -> GatewayResponse {
        guard let failure = error as? SigV4.Failure else { return context.fail(.invalidSignature, message: "\(error)") }
        let type: GatewayResponseType
        switch failure {
        case .missing: return context.fail(.missingAuthenticationToken)
        case .notAuthorized: type = .accessDenied
        case .expired: type = .invalidSignature
        case .incomplete, .wrongScope, .unknownKey, .mismatch: type = .invalidSignature
        }
        return context.fail(type, message: failure.message, errorType: failure.errorType)
    }
}
