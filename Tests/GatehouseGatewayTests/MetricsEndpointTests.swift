import Foundation
import Testing

/// `/metrics` on the admin listener, read by the real Prometheus text parser (`prometheus_client`).
@Suite struct MetricsEndpointTests {
    @Test func prometheusParsesItAndLabelsStayBounded() async throws {
        try await withGateway(configure: {
            $0.adminHost = "127.0.0.1"
            $0.adminPort = 0
        }) { gw, _ in
            for id in 1...6 { _ = try await curl([gw.url("/pets/\(id)")]) }
            _ = try await curl([gw.url("/flaky")])
            _ = try await curl([gw.url("/nothing-here/at/all/\(UUID().uuidString)")])
            _ = try await curl(["http://127.0.0.1:\(gw.port)/restapis/\(UUID().uuidString)/x/_user_request_/y"])
            let admin = try #require(try await gw.gateway.adminAddress)
            let scrape = try await curl(["-i", "http://127.0.0.1:\(admin.port ?? 0)/metrics"])
            #expect(scrape.stdout.hasPrefix("HTTP/1.1 200"))
            #expect(scrape.stdout.lowercased().contains("content-type: text/plain; version=0.0.4"))
            let body = try #require(scrape.stdout.range(of: "\r\n\r\n").map { String(scrape.stdout[$0.upperBound...]) })
            let file = gw.dir.path("metrics.txt")
            try body.write(toFile: file, atomically: true, encoding: .utf8)
            let parser = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = []
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for s in family.samples:
                    out.append({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels, "value": s.value})
            print(json.dumps(out))
            """
            let parsed = try await run("/usr/bin/env", ["python3", "-c", parser, file])
            #expect(parsed.status == 0, "the Prometheus parser rejected it: \(parsed.stderr)")
            let samples = try #require(try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [[String: Any]])
            func value(_ name: String, _ labels: [String: String]) -> Double? {
                samples.first { ($0["name"] as? String) == name && ($0["labels"] as? [String: String]) == labels }?["value"] as? Double
            }
            let pet = ["api": gw.apiId, "stage": "prod", "resource": "/pets/{petId}", "method": "GET"]
            #expect(value("gatehouse_requests_total", pet.merging(["status_class": "2xx"]) { $1 }) == 6)
            #expect(value("gatehouse_request_duration_seconds_count", pet) == 6)
            #expect(value("gatehouse_requests_total", ["api": gw.apiId, "stage": "prod", "resource": "/flaky", "method": "GET",
                                                       "status_class": "5xx"]) == 1)
            #expect(value("gatehouse_unrouted_requests_total", ["status_class": "4xx"]) == 1, "an unknown API is not a label value")
            // Bounded: no label value ever holds a concrete path or a client-chosen id.
            let labelValues = samples.flatMap { (($0["labels"] as? [String: String]) ?? [:]).values }
            #expect(!labelValues.contains { $0.contains("/pets/3") || $0.contains("nothing-here") || $0.count > 40 })
            #expect(samples.contains { ($0["name"] as? String) == "gatehouse_config_version" })
            let health = try await curl(["http://127.0.0.1:\(admin.port ?? 0)/healthz"])
            #expect(health.stdout == "ok\n")
        }
    }
}
