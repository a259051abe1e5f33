/// What one call shows a mapping template: the body (`$input.body`, `$input.json()`, `$input.path()`), the
/// method request's parameters (`$input.params()`), `$context` and `$stageVariables`.
public struct TemplateInput: Sendable {
    public var body: String
    public var pathParameters: [String: String]
    public var queryParameters: [String: String]
    /// Header names as the client sent them; `$input.params('name')` finds them whatever their case.
    public var headers: [(name: String, value: String)]
    /// `$context` as dotted names (`identity.sourceIp`, `authorizer.claims.sub`), made nested for the template.
    public var context: [String: String]
    public var stageVariables: [String: String]

    public init(body: String = "", pathParameters: [String: String] = [:], queryParameters: [String: String] = [:],
                headers: [(name: String, value: String)] = [], context: [String: String] = [:], stageVariables: [String: String] = [:]) {
        self.body = body
        self.pathParameters = pathParameters
        self.queryParameters = queryParameters
        self.headers = headers
        self.context = context
        self.stageVariables = stageVariables
    }

    /// `$input.params()`: `path`, `querystring` and `header`, each a map of name to value.
    var parameters: TemplateValue {
        func map(_ values: [String: String]) -> TemplateValue {
            .map(TemplateMap(values.keys.sorted().map { ($0, .string(values[$0] ?? "")) }))
        }
        var header = TemplateMap()
        for (name, value) in headers where header[name] == nil { header[name] = .string(value) }
        return .map(TemplateMap([("path", map(pathParameters)), ("querystring", map(queryParameters)), ("header", .map(header))]))
    }

    /// `$input.params('name')`: the path parameter, else the query string parameter, else the header; empty when none.
    func parameter(_ name: String) -> String {
        if let value = pathParameters[name] { return value }
        if let value = queryParameters[name] { return value }
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value ?? ""
    }
}
