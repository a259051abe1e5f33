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

    /// Finds the method for `verb` on `path`, or `nil`. As in API Gateway, the path picks the resource
    /// first (literal, then `{param}`, then `{proxy+}`); a resource without that verb (or ANY) is no match,
    /// even if a greedy resource elsewhere would take the verb.
    public func match(path: String, verb: String) -> Match? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var params: [String: String] = [:]
        guard let resource = resolve(node: root, segments: segments[...], params: &params),
              let method = Self.method(in: resource, verb: verb.uppercased()) else { return nil }
        return Match(resource: resource, method: method, pathParameters: params)
    }

    /// The resource a path names, if any.
    public func resource(forPath path: String) -> Resource? {
        var params: [String: String] = [:]
        return resolve(node: root, segments: path.split(separator: "/").map(String.init)[...], params: &params)
    }

    private func resolve(node: Node, segments: ArraySlice<String>, params: inout [String: String]) -> Resource? {
        guard let first = segments.first else {
            if let resource = node.resource { return resource }
            return nil
        }
        let rest = segments.dropFirst()
        if let next = node.literals[first], let found = resolve(node: next, segments: rest, params: &params) {
            return found
        }
        if let (name, next) = node.parameter {
            let saved = params
            params[name] = first
            if let found = resolve(node: next, segments: rest, params: &params) { return found }
            params = saved
        }
        if let (name, resource) = node.greedy {
            params[name] = segments.joined(separator: "/")
            return resource
        }
        return nil
    }

    private static func method(in resource: Resource, verb: String) -> Method? {
        resource.method(answering: verb)
    }
}
