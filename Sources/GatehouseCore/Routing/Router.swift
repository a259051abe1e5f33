/// Matches a request path and verb to a resource and method of one API: literal parts beat `{param}`,
/// which beats `{proxy+}`; a method declared `ANY` answers every verb the resource does not declare.
/// Built once per configuration snapshot and read concurrently.
public struct Router: Sendable {
    /// What a match yields: the resource, the method and the path parameters by name. It holds the
    /// resource and method by reference (the router's), so passing a match along copies two pointers.
    public struct Match: Sendable, Equatable {
        let entry: Entry
        let slot: Slot
        public var pathParameters: [String: String]

        public var resource: Resource { entry.resource }
        public var method: Method { slot.method }
        /// The resource's path template, e.g. `/pets/{id}`, without copying the resource.
        public var resourcePath: String { entry.resource.path }
        /// The verb as declared (`GET`, or `ANY` for a verb the resource does not declare).
        public var declaredVerb: String { slot.method.httpMethod }

        public static func == (lhs: Match, rhs: Match) -> Bool {
            lhs.resource == rhs.resource && lhs.method == rhs.method && lhs.pathParameters == rhs.pathParameters
        }
    }

    /// A resource as the router keeps it, with its methods boxed once.
    final class Entry: Sendable {
        let resource: Resource
        let slots: [String: Slot]
        let any: Slot?

        init(_ resource: Resource) {
            self.resource = resource
            var slots: [String: Slot] = [:]
            for (verb, method) in resource.resourceMethods { slots[verb] = Slot(method: method) }
            self.slots = slots
            any = slots["ANY"]
        }

        /// The method that answers `verb` (the verb's own, else `ANY`), as `Resource.method(answering:)`.
        func slot(answering verb: String) -> Slot? { slots[verb] ?? any }
    }

    /// One declared method, boxed.
    final class Slot: Sendable {
        let method: Method
        init(method: Method) { self.method = method }
    }

    private final class Node: @unchecked Sendable {
        // Mutated only while building, then read-only.
        var literals: [String: Node] = [:]
        var parameter: (name: String, node: Node)?
        var greedy: (name: String, entry: Entry)?
        var entry: Entry?
    }

    private let root = Node()

    public init(resources: [Resource]) {
        for resource in resources {
            let entry = Entry(resource)
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
                    node.greedy = (name, entry)
                }
            }
            if case .greedy = PathSegment.split(resource.path).last { continue }
            node.entry = entry
        }
    }

    /// Finds the method for `verb` on `path`, or `nil`. As in API Gateway, the path picks the resource
    /// first (literal, then `{param}`, then `{proxy+}`); a resource without that verb (or ANY) is no match,
    /// even if a greedy resource elsewhere would take the verb. Walks the path's bytes in place.
    public func match(path: String, verb: String) -> Match? {
        var params: [String: String] = [:]
        guard let entry = resolve(node: root, rest: Substring(path), params: &params),
              let slot = entry.slot(answering: Self.uppercased(verb)) else { return nil }
        return Match(entry: entry, slot: slot, pathParameters: params)
    }

    /// The resource a path names, if any.
    public func resource(forPath path: String) -> Resource? {
        var params: [String: String] = [:]
        return resolve(node: root, rest: Substring(path), params: &params)?.resource
    }

    private func resolve(node: Node, rest: Substring, params: inout [String: String]) -> Entry? {
        var rest = rest
        while rest.utf8.first == UInt8(ascii: "/") { rest = rest.dropFirst() }
        guard !rest.isEmpty else { return node.entry }
        let end = rest.utf8.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
        let segment = rest[..<end]
        let after = rest[end...]
        if let next = node.literals[String(segment)], let found = resolve(node: next, rest: after, params: &params) {
            return found
        }
        if let (name, next) = node.parameter {
            let saved = params
            params[name] = String(segment)
            if let found = resolve(node: next, rest: after, params: &params) { return found }
            params = saved
        }
        if let (name, entry) = node.greedy {
            // Empty segments are dropped, as everywhere else in the path.
            params[name] = rest.split(separator: "/").joined(separator: "/")
            return entry
        }
        return nil
    }

    /// HTTP methods arrive upper-case; only a verb with a lower-case letter is copied.
    private static func uppercased(_ verb: String) -> String {
        verb.utf8.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) ? verb.uppercased() : verb
    }
}
