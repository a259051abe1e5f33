/// What a method's request is checked for before it is integrated (AWS's `RequestValidator`, from
/// `x-amazon-apigateway-request-validators`): its required path, query and header parameters, and its body.
/// A method names one (`x-amazon-apigateway-request-validator`), or the API's default applies.
public struct RequestValidator: Codable, Sendable, Equatable {
    public var name: String
    public var validateRequestBody: Bool
    public var validateRequestParameters: Bool

    public init(name: String, validateRequestBody: Bool = false, validateRequestParameters: Bool = false) {
        self.name = name
        self.validateRequestBody = validateRequestBody
        self.validateRequestParameters = validateRequestParameters
    }

    /// The required parameters `present` lacks, in AWS's order (path, then query, then header) and spelling
    /// (the bare name): what `Missing required request parameters: [...]` lists.
    public static func missingParameters(required: [String: Bool], present: (_ location: String, _ name: String) -> Bool) -> [String] {
        var missing: [String] = []
        for location in ["path", "querystring", "header"] {
            let prefix = "method.request.\(location)."
            for key in required.keys.sorted() where key.hasPrefix(prefix) && required[key] == true {
                let name = String(key.dropFirst(prefix.count))
                if !present(location, name) { missing.append(name) }
            }
        }
        return missing
    }
}

extension ApiDefinition {
    /// The validator in force for `method`: the one it names, else the API's default; nil when none.
    public func requestValidator(for method: Method) -> RequestValidator? {
        guard let name = method.requestValidatorName ?? restApi.defaultRequestValidator else { return nil }
        return restApi.requestValidators?[name]
    }
}
