import Foundation
import GatehouseCore
import GatehouseStore

extension ManagementAPI {
    /// The caller of a signed request: Signature Version 4 for service `apigateway` in this gateway's region,
    /// within five minutes of now, by a live credential whose allow list covers the operation's resource
    /// (`arn:aws:apigateway:REGION::/restapis/…`). Refusals are 403 with AWS's error types.
    func authenticate(method: String, uri: String, path: String, headers: [(name: String, value: String)], body: [UInt8],
                      operation: String) throws -> Actor {
        if insecureNoAuth { return Actor(name: "anonymous (--admin-insecure-no-auth)", source: "admin-api") }
        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name }?.value }
        let signature: SigV4.Signature
        do {
            signature = try SigV4.signature(authorization: header("authorization"), query: uri.firstIndex(of: "?").map { String(uri[uri.index(after: $0)...]) },
                                            header: header)
            try SigV4.checkScopeAndTime(signature, region: region, service: "apigateway", now: clock())
        } catch .missing {
            throw ManagementError.forbidden("MissingAuthenticationTokenException", "Missing Authentication Token")
        } catch {
            throw ManagementError.forbidden(error.errorType, error.message)
        }
        let (credentials, problem) = try store.servedCredentials()
        guard let credential = credentials[signature.accessKeyId] else {
            if let problem { throw ManagementError(status: 500, type: "InternalServerErrorException", message: "signed calls cannot be verified: \(problem)") }
            throw ManagementError.forbidden("UnrecognizedClientException", "The security token included in the request is invalid.")
        }
        let bodyHash = SigV4.payloadHash(body)
        let declared = signature.declaredPayloadHash ?? bodyHash
        do {
            try SigV4.verify(signature, secret: credential.secret, method: method, target: uri, headers: headers, payloadHash: declared, bodyHash: bodyHash)
        } catch {
            throw ManagementError.forbidden(error.errorType, error.message)
        }
        let resource = "arn:aws:apigateway:\(region)::\(path.removingPercentEncoding ?? path)"
        guard credential.allow.contains(where: { Credential.wildcard($0, matches: resource) }) else {
            let user = SigV4.userArn(account: account, name: credential.name)
            throw ManagementError.forbidden("AccessDeniedException",
                                            "User: \(user) is not authorized to perform: apigateway:\(method.uppercased()) on resource: \(resource) "
                                                + "(\(operation)); give the credential --allow 'arn:aws:apigateway:*::/*' or a narrower pattern")
        }
        return Actor(name: credential.name, source: "admin-api")
    }
}
