/// Matches a request path and verb to a resource and method of one API: literal parts beat `{param}`,
/// which beats `{proxy+}`; a method declared `ANY` answers every verb the resource does not declare.
/// Built once per configuration snapshot and read concurrently.
public struct Router: Sendable {
    /// What a match yields: the resource, the method and the path parameters by name.
    public struct Match: Sendable, Equatable {
        public var resource: Resource
        public var method: Method
        public var pathParameters: [String: String]
    }

    private final class Node: @unchecked Sendable {
        // Mutated only while building, then read-only.
        var literals: [String: Node] = [:]
        var parameter: (name: String, node: Node)?
        var greedy: (name: String, resource: Resource)?
        var resource: Resource?
    }

    private let root = Node()

    public init(resources: [Resource]) {
        for resource in resources {
            var node = root
            for segment in PathSegment.split(resource.path) {
                switch segment {
                case .literal(let text):
                    let next = node.literals[text] ?? Node()
                    node.literals[text] = next
                    node = next
                case .parameter(let name):
                    let next = node.parameter?.node ?? Node()
                    node.parameter = (name, next)
                    node = next
                case .greedy(let name):
                    node.greedy = (name, resource)
                }
            }
            if case .greedy = PathSegment.split(resource.path).last { continue }
            node.resource = resource
        }
    }

    /// Finds the method for `verb` on `path` (already percent-decoded per segment), or `nil`.
    public func match(path: String, verb: String) -> Match? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var params: [String: String] = [:]
        return match(node: root, segments: segments[...], verb: verb.uppercased(), params: &params)
    }

    private func match(node: Node, segments: ArraySlice<String>, verb: String, params: inout [String: String]) -> Match? {
        guard let first = segments.first else {
            if let resource = node.resource, let method = Self.method(in: resource, verb: verb) {
                return Match(resource: resource, method: method, pathParameters: params)
            }
            return nil
        }
        let rest = segments.dropFirst()
        if let next = node.literals[first], let found = match(node: next, segments: rest, verb: verb, params: &params) {
            return found
        }
        if let (name, next) = node.parameter {
            let saved = params
            params[name] = first
            if let found = match(node: next, segments: rest, verb: verb, params: &params) { return found }
            params = saved
        }
        if let (name, resource) = node.greedy, let method = Self.method(in: resource, verb: verb) {
            var greedyParams = params
            greedyParams[name] = segments.joined(separator: "/")
            return Match(resource: resource, method: method, pathParameters: greedyParams)
        }
        return nil
    }

    private static func method(in resource: Resource, verb: String) -> Method? {
        resource.resourceMethods[verb] ?? resource.resourceMethods["ANY"]
    }
}
