import GatehouseCore
import Testing

@Suite struct RouterTests {
    func resource(_ path: String, _ verbs: [String]) -> Resource {
        var r = Resource(id: path, parentId: nil, pathPart: String(path.split(separator: "/").last ?? ""), path: path)
        for verb in verbs { r.resourceMethods[verb] = Method(httpMethod: verb) }
        return r
    }

    @Test func literalBeatsParameterBeatsGreedy() throws {
        let router = Router(resources: [
            resource("/", ["GET"]), resource("/pets", ["GET"]), resource("/pets/{id}", ["GET", "DELETE"]),
            resource("/pets/mine", ["GET"]), resource("/{proxy+}", ["ANY"]),
        ])
        #expect(router.match(path: "/pets/mine", verb: "GET")?.resource.path == "/pets/mine")
        let byId = try #require(router.match(path: "/pets/42", verb: "GET"))
        #expect(byId.resource.path == "/pets/{id}")
        #expect(byId.pathParameters == ["id": "42"])
        let greedy = try #require(router.match(path: "/a/b/c", verb: "PATCH"))
        #expect(greedy.resource.path == "/{proxy+}")
        #expect(greedy.pathParameters == ["proxy": "a/b/c"])
        #expect(greedy.method.httpMethod == "ANY")
        #expect(router.match(path: "/", verb: "GET")?.resource.path == "/")
        // The path picks the resource; /pets/mine has no DELETE, and API Gateway does not fall back to {id}
        // or {proxy+} for the verb.
        #expect(router.match(path: "/pets/mine", verb: "DELETE") == nil)
        #expect(router.match(path: "/pets", verb: "POST") == nil)
    }

    @Test func noMatchWithoutGreedy() {
        let router = Router(resources: [resource("/pets", ["GET"]), resource("/pets/{id}", ["GET"])])
        #expect(router.match(path: "/pets", verb: "POST") == nil)
        #expect(router.match(path: "/pets/1/toys", verb: "GET") == nil)
        #expect(router.match(path: "/other", verb: "GET") == nil)
    }

    @Test func anyAnswersUndeclaredVerbsOnly() {
        let router = Router(resources: [resource("/items", ["GET", "ANY"])])
        #expect(router.match(path: "/items", verb: "GET")?.method.httpMethod == "GET")
        #expect(router.match(path: "/items", verb: "PUT")?.method.httpMethod == "ANY")
    }

    @Test func greedyUnderLiteral() {
        let router = Router(resources: [resource("/store/{proxy+}", ["ANY"]), resource("/store", ["GET"])])
        #expect(router.match(path: "/store/orders/7", verb: "GET")?.pathParameters == ["proxy": "orders/7"])
        #expect(router.match(path: "/store", verb: "GET")?.resource.path == "/store")
    }

}

/// Resource path validation rejects what AWS rejects.
@Suite struct PathValidationTests {
    @Test func validation() {
        #expect(PathSegment.validate("/pets/{id}") == nil)
        #expect(PathSegment.validate("/{proxy+}") == nil)
        #expect(PathSegment.validate("pets") != nil)
        #expect(PathSegment.validate("/pets//x") != nil)
        #expect(PathSegment.validate("/{proxy+}/x") != nil)
        #expect(PathSegment.validate("/pets/{id") != nil)
        #expect(PathSegment.validate("/pets/a{id}") != nil)
    }
}
