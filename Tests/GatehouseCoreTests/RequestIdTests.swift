import Foundation
import GatehouseCore
import Testing

/// Request ids: AWS's UUID form, unique, and no system call per id.
@Suite struct RequestIdTests {
    @Test func idsAreVersion4UUIDsAndDoNotRepeat() {
        var generator = RequestIdGenerator()
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let id = generator.make()
            #expect(seen.insert(id).inserted)
            let parsed = UUID(uuidString: id)
            #expect(parsed != nil, "\(id) parses as a UUID")
            #expect(id == id.lowercased())
            let chars = Array(id)
            #expect(chars[14] == "4")
            #expect("89ab".contains(chars[19]))
        }
        var a = RequestIdGenerator(seed: 7), b = RequestIdGenerator(seed: 7)
        #expect(a.make() == b.make())
    }
}
