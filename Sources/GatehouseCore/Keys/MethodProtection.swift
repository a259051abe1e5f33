/// Which protections a method asks for that this build cannot enforce (AWS_IAM and JWT authorizers are enforced). Deploy refuses such a method and the
/// worker answers it 500 (fail closed): a method is never served open because its guard is missing.
public enum MethodProtection {
    /// Why `method` of `definition` cannot be guarded here, or nil when it can.
    public static func problem(method: Method, definition: ApiDefinition) -> String? {
        let api = definition.restApi
        let type = method.authorizationType.uppercased()
        switch type {
        case "NONE", "AWS_IAM":
            break
        case "JWT":
            guard let authorizer = definition.authorizer(id: method.authorizerId) else {
                return "its authorization type is JWT and it names no authorizer of the API (authorizerId \(method.authorizerId ?? "none"))"
            }
            if let problem = authorizer.problem { return problem }
            if authorizer.type.uppercased() != "JWT" { return "its authorization type is JWT but authorizer '\(authorizer.name)' is \(authorizer.type)" }
        default:
            return "its authorization type \(method.authorizationType) is not enforced by this worker (JWT and AWS_IAM are; custom authorizers are not built yet)"
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
                guard let method = resource.resourceMethods[verb], let reason = problem(method: method, definition: definition) else { continue }
                found.append(("\(verb) \(resource.path)", reason))
            }
        }
        return found
    }
}
