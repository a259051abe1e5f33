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
        case "JWT", "CUSTOM":
            guard let authorizer = definition.authorizer(id: method.authorizerId) else {
                return "its authorization type is \(type) and it names no authorizer of the API (authorizerId \(method.authorizerId ?? "none"))"
            }
            if let problem = authorizer.problem { return problem }
            let kind = authorizer.type.uppercased()
            if (type == "JWT") != (kind == "JWT") { return "its authorization type is \(type) but authorizer '\(authorizer.name)' is \(authorizer.type)" }
        default:
            return "its authorization type \(method.authorizationType) is not enforced by this worker (AWS_IAM, JWT and CUSTOM with a TOKEN or REQUEST authorizer are)"
        }
        let custom = definition.authorizer(id: method.authorizerId).map { ["TOKEN", "REQUEST"].contains($0.type.uppercased()) } ?? false
        if method.apiKeyRequired && api.apiKeySource == .authorizer && !(type == "CUSTOM" && custom) {
            return "it requires an API key from an authorizer (apiKeySource AUTHORIZER) but no custom authorizer guards it to give one"
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
