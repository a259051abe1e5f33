/// Which protections a method asks for that this build cannot enforce (AWS_IAM, SigV4, is enforced). Deploy refuses such a method and the
/// worker answers it 500 (fail closed): a method is never served open because its guard is missing.
public enum MethodProtection {
    /// Why `method` of `api` cannot be guarded here, or nil when it can.
    public static func problem(method: Method, api: RestApi) -> String? {
        let type = method.authorizationType.uppercased()
        if type != "NONE" && type != "AWS_IAM" {
            return "its authorization type \(method.authorizationType) is not enforced by this worker (authorizers are not built yet)"
        }
        if method.apiKeyRequired && api.apiKeySource == .authorizer {
            return "it requires an API key from an authorizer (apiKeySource AUTHORIZER), and this worker runs no authorizers yet"
        }
        return nil
    }

    /// Every method of `definition` that cannot be guarded: `GET /pets` and why.
    public static func problems(in definition: ApiDefinition) -> [(method: String, reason: String)] {
        var found: [(String, String)] = []
        for resource in definition.resources.sorted(by: { $0.path < $1.path }) {
            for verb in resource.resourceMethods.keys.sorted() {
                guard let method = resource.resourceMethods[verb], let reason = problem(method: method, api: definition.restApi) else { continue }
                found.append(("\(verb) \(resource.path)", reason))
            }
        }
        return found
    }
}
