/// Edits of an API's draft that the CLI, the console and the management API share: resources and methods made or
/// removed by path.
extension ApiDefinition {
    /// The resource at `path`, made with any missing parents (each with a new id); `created` lists what was made.
    @discardableResult
    public mutating func ensureResource(path: String) throws(EditError) -> (resource: Resource, created: [Resource]) {
        if let problem = PathSegment.validate(path) { throw EditError(description: "the path '\(path)' is invalid: \(problem)") }
        var created: [Resource] = []
        if !resources.contains(where: { $0.path == "/" }) {
            let root = Resource(id: Identifiers.make(), parentId: nil, pathPart: "", path: "/")
            resources.append(root)
            created.append(root)
        }
        var parent = resources.first { $0.path == "/" }
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            if let existing = resources.first(where: { $0.path == current }) {
                parent = existing
                continue
            }
            let resource = Resource(id: Identifiers.make(), parentId: parent?.id, pathPart: String(part), path: current)
            resources.append(resource)
            created.append(resource)
            parent = resource
        }
        guard let resource = resources.first(where: { $0.path == (path == "/" ? "/" : current) }) else {
            throw EditError(description: "the path '\(path)' could not be made")
        }
        return (resource, created)
    }

    /// Removes the resource at `path` and everything under it (not the root); the paths removed.
    @discardableResult
    public mutating func removeResource(path: String) throws(EditError) -> [String] {
        guard path != "/" else { throw EditError(description: "the root resource / cannot be deleted") }
        guard resources.contains(where: { $0.path == path }) else { throw EditError(description: "API \(restApi.id) has no resource \(path)") }
        let removed = resources.filter { $0.path == path || $0.path.hasPrefix(path + "/") }.map(\.path)
        resources.removeAll { removed.contains($0.path) }
        return removed
    }

    /// Puts `method` on the resource at `path` (made with its parents if missing), declaring the path's
    /// parameters on it; an existing method of that verb is replaced only when `replace` is set.
    @discardableResult
    public mutating func putMethod(_ method: Method, path: String, replace: Bool) throws -> Resource {
        let (resource, _) = try ensureResource(path: path)
        guard let index = resources.firstIndex(where: { $0.id == resource.id }) else { throw EditError(description: "the path '\(path)' could not be made") }
        if resources[index].resourceMethods[method.httpMethod] != nil && !replace {
            throw MethodExists(description: "\(method.httpMethod) \(path) exists already in API \(restApi.id)")
        }
        var method = method
        for segment in PathSegment.split(path) {
            switch segment {
            case .parameter(let name), .greedy(let name): method.requestParameters["method.request.path.\(name)"] = true
            default: break
            }
        }
        resources[index].resourceMethods[method.httpMethod] = method
        return resources[index]
    }

    /// Removes the `verb` method of the resource at `path` (the resource stays).
    public mutating func removeMethod(verb: String, path: String) throws(EditError) {
        guard let index = resources.firstIndex(where: { $0.path == path }), resources[index].resourceMethods[verb] != nil else {
            throw EditError(description: "API \(restApi.id) has no method \(verb) \(path)")
        }
        resources[index].resourceMethods[verb] = nil
    }

    /// A method of that verb is on the resource already (and was not to be replaced).
    public struct MethodExists: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Why an edit could not be made.
    public struct EditError: Error, CustomStringConvertible, Sendable {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }
}
