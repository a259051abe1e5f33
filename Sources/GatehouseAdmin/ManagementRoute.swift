/// One operation of the management API where the `apigateway` model places it: its name, HTTP method, URI
/// template (`/restapis/{restapi_id}/resources`), the literal query some operations add (`mode=import`) and its
/// success status. The router finds the operation of a request from these, supported or not.
struct ManagementRoute: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case variable(String)
    }

    let name: String
    let method: String
    let segments: [Segment]
    /// `mode=import` for ImportRestApi; empty for most.
    let query: (name: String, value: String)?
    let status: Int

    init(_ name: String, _ method: String, _ template: String, query: String, status: Int) {
        self.name = name
        self.method = method
        self.status = status
        segments = template.split(separator: "/").map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? .variable(String(part.dropFirst().dropLast()).replacingOccurrences(of: "+", with: ""))
                : .literal(String(part))
        }
        let pair = query.split(separator: "=", maxSplits: 1).map(String.init)
        self.query = pair.count == 2 ? (pair[0], pair[1]) : nil
    }

    /// The path variables, when the request is this operation's.
    func match(method: String, segments path: [String], query parameters: [String: String]) -> [String: String]? {
        guard method == self.method, path.count == segments.count else { return nil }
        if let query, parameters[query.name] != query.value { return nil }
        var variables: [String: String] = [:]
        for (segment, part) in zip(segments, path) {
            switch segment {
            case .literal(let literal): if literal != part { return nil }
            case .variable(let name): variables[name] = part
            }
        }
        return variables
    }

    /// How specific the route is: one with a literal query beats one without, then more literal segments win.
    var specificity: Int {
        (query == nil ? 0 : 1000) + segments.filter { if case .literal = $0 { return true }; return false }.count
    }
}

/// Finds a request's operation among every operation of the model.
struct ManagementRouter: Sendable {
    let routes: [ManagementRoute]

    init(routes: [ManagementRoute] = ManagementRoute.model) {
        self.routes = routes.sorted { $0.specificity > $1.specificity }
    }

    func route(method: String, segments: [String], query: [String: String]) -> (ManagementRoute, [String: String])? {
        for route in routes {
            if let variables = route.match(method: method, segments: segments, query: query) { return (route, variables) }
        }
        return nil
    }
}
