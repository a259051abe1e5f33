import GatehouseCore

/// The first line is a list of resource paths (space separated), the second a verb, the rest a request
/// path: building the router and matching must never crash, and a match names a declared resource.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRouter(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    let lines = text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
    guard lines.count == 3 else { return 0 }
    var resources: [Resource] = []
    for (index, path) in lines[0].split(separator: " ").enumerated() where PathSegment.validate(String(path)) == nil {
        resources.append(Resource(id: "r\(index)", parentId: nil, pathPart: "", path: String(path),
                                  resourceMethods: ["GET": Method(httpMethod: "GET"), "ANY": Method(httpMethod: "ANY")]))
    }
    let router = Router(resources: resources)
    if let match = router.match(path: String(lines[2]), verb: String(lines[1])) {
        precondition(resources.contains { $0.path == match.resource.path }, "matched an undeclared resource")
    }
    _ = router.resource(forPath: String(lines[2]))
    return 0
}
