import Foundation
@testable import GatehouseAdmin
import Testing

/// Issue 13: the management API. The operations are shown by a Python suite (pytest, boto3 and the aws CLI)
/// against a real worker, run from here so the README's test command runs it; the router is checked against
/// every operation of botocore's model.
@Suite struct ManagementAPITests {
    /// Tests/ManagementAPI, beside this file's folder.
    static var suiteFolder: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("ManagementAPI").path
    }

    @Test func theBoto3AndAwsCliSuitePasses() async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["GATEHOUSE_BIN"] = Binary.gatehouse
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        let child = try ChildProcess("/usr/bin/env", ["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", Self.suiteFolder],
                                     environment: environment)
        let status = try await child.waitForExit(timeout: 300)
        #expect(status == 0, "pytest said:\n\(child.stdout)\n\(child.stderr)")
    }

    /// Every operation of the model is found at its own method and path (filled with sample values), so an
    /// unsupported one is named rather than mistaken for another.
    @Test func everyOperationOfTheModelRoutesToItself() {
        let router = ManagementRouter()
        #expect(ManagementRoute.model.count >= 120)
        for route in ManagementRoute.model {
            let path = route.segments.map { segment -> String in
                switch segment {
                case .literal(let text): return text
                case .variable(let name): return "sample-\(name)"
                }
            }
            let query = route.query.map { [$0.name: $0.value] } ?? [:]
            let found = router.route(method: route.method, segments: path, query: query)
            #expect(found?.0.name == route.name, "\(route.method) /\(path.joined(separator: "/")) routes to \(found?.0.name ?? "nothing")")
        }
    }
}
