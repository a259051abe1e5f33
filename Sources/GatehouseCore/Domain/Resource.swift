/// One node of an API's path tree (`/pets`, `/pets/{id}`, `/{proxy+}`) with the methods it answers.
/// Mirrors the `Resource` shape of the AWS `apigateway` model.
public struct Resource: Codable, Sendable, Equatable {
    public var id: String
    public var parentId: String?
    public var pathPart: String
    public var path: String
    /// Methods by HTTP verb (`GET`, …, or `ANY`).
    public var resourceMethods: [String: Method]

    public init(id: String, parentId: String?, pathPart: String, path: String, resourceMethods: [String: Method] = [:]) {
        self.id = id
        self.parentId = parentId
        self.pathPart = pathPart
        self.path = path
        self.resourceMethods = resourceMethods
    }
}
