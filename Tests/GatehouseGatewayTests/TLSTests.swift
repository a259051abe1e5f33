import Foundation
import GatehouseCore
import Testing

/// HTTPS through a real worker with real TLS peers: certificates made by `openssl` in the test, curl with
/// `--resolve … --cacert` (SNI picks each domain's certificate; Host and base path pick the API stage), Python's
/// ssl module for rotation under load, mutual TLS accepted and refused, PRIVATE APIs, and the CLI's checks.
@Suite struct TLSTests {
    static let api = """
        openapi: 3.0.1
        info: {title: Domains, version: "1"}
        paths:
          /who:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: http
                httpMethod: GET
                uri: "http://${stageVariables.backend}/who"
                requestParameters:
                  integration.request.header.X-Subject: context.identity.clientCert.subjectDN
                  integration.request.header.X-Serial: context.identity.clientCert.serialNumber
                  integration.request.header.X-Domain: context.domainName
                  integration.request.header.X-Stage: context.stage
                responses: {default: {statusCode: "200"}}
        """

    /// A CA and certificates it issues, made with the openssl command in a test's folder.
    struct Certificates {
        let dir: TempDir

        func openssl(_ arguments: [String]) async throws {
            let result = try await run("/usr/bin/env", ["openssl"] + arguments)
            guard result.status == 0 else { throw TestFailure("openssl \(arguments.joined(separator: " ")): \(result.stderr)") }
        }

        /// `NAME.pem` and `NAME.key`: a self-signed CA.
        func authority(_ name: String) async throws {
            try await openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "30",
                               "-subj", "/CN=\(name)", "-keyout", dir.path("\(name).key"), "-out", dir.path("\(name).pem")])
        }

        /// `FILE.pem` and `FILE.key` issued by `ca` for `subject`, naming `dns` (a server) or none (a client).
        func issue(_ file: String, by ca: String, subject: String, dns: String? = nil, serial: String, days: Int = 20) async throws {
            try await openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", subject,
                               "-keyout", dir.path("\(file).key"), "-out", dir.path("\(file).csr")])
            var arguments = ["x509", "-req", "-in", dir.path("\(file).csr"), "-CA", dir.path("\(ca).pem"), "-CAkey", dir.path("\(ca).key"),
                             "-set_serial", serial, "-days", String(days), "-out", dir.path("\(file).pem")]
            if let dns {
                try "subjectAltName=DNS:\(dns)\n".write(toFile: dir.path("\(file).ext"), atomically: true, encoding: .utf8)
                arguments += ["-extfile", dir.path("\(file).ext")]
            }
            try await openssl(arguments)
        }
    }

    /// A worker with a plain and a TLS listener (and the admin one): the process and the two ports.
    static func startTLSWorker(_ db: String, _ arguments: [String] = []) async throws -> (worker: ChildProcess, http: Int, https: Int, admin: Int) {
        let worker = try ChildProcess(Binary.gatehouse, ["serve", "--store", db, "--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0",
                                                         "--admin", "127.0.0.1:0", "--log-level", "warning"] + arguments)
        let admin = try await worker.line(containing: "admin on")
        let line = try await worker.line(containing: "serving")
        func port(after scheme: String, in text: String) -> Int? {
            guard let start = text.range(of: scheme) else { return nil }
            let rest = text[start.upperBound...]
            guard let colon = rest.firstIndex(of: ":") else { return nil }
            return Int(rest[rest.index(after: colon)...].prefix { $0.isNumber })
        }
        guard let http = port(after: "http://", in: line), let https = port(after: "https://", in: line),
              let adminPort = port(after: "http://", in: admin) else { throw TestFailure("no ports in '\(line)' / '\(admin)'") }
        return (worker, http, https, adminPort)
    }

    /// curl over TLS to `name` (resolved to loopback), verifying against `ca`: the HTTP status (0 when the
    /// handshake failed), the body, and curl's exit code.
    static func https(_ name: String, port: Int, path: String, ca: String, extra: [String] = []) async throws -> (status: Int, body: String, exit: Int32) {
        let result = try await curl(["--resolve", "\(name):\(port):127.0.0.1", "--cacert", ca, "-w", "\n%{http_code}"] + extra
                                    + ["https://\(name):\(port)\(path)"])
        let (status, body) = statusAndBody(result.stdout)
        return (status, body, result.status)
    }

    static func echoed(_ body: String) -> [String: String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return [:] }
        return object["headers"] as? [String: String] ?? [:]
    }

    @Test func sniPicksTheCertificateAndHostAndBasePathPickTheStage() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let certs = Certificates(dir: dir)
        try await certs.authority("ca")
        try await certs.issue("a", by: "ca", subject: "/CN=a.example.test", dns: "a.example.test", serial: "0x0a")
        try await certs.issue("b", by: "ca", subject: "/CN=b.example.test", dns: "b.example.test", serial: "0x0b")
        let backend = try await BackendProcess()
        defer { backend.stop() }
        let (db, apiId) = try await sampleStore(dir, apiText: Self.api, backend: "127.0.0.1:\(backend.port)")
        #expect(try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "beta", "--var", "backend=127.0.0.1:\(backend.port)").status == 0)

        // The CLI checks the files before anything is stored.
        let wrongName = try await gatehouse("domain", "create", "--store", db, "--name", "c.example.test", "--cert", dir.path("a.pem"), "--key", dir.path("a.key"))
        #expect(wrongName.status != 0 && wrongName.stderr.contains("does not name c.example.test"), "\(wrongName.stderr)")
        let wrongKey = try await gatehouse("domain", "create", "--store", db, "--name", "a.example.test", "--cert", dir.path("a.pem"), "--key", dir.path("b.key"))
        #expect(wrongKey.status != 0 && wrongKey.stderr.contains("is not the key of the certificate"), "\(wrongKey.stderr)")
        #expect(try await gatehouse("domain", "create", "--store", db, "--name", "a.example.test", "--cert", dir.path("a.pem"), "--key", dir.path("a.key")).status == 0)
        #expect(try await gatehouse("domain", "create", "--store", db, "--name", "b.example.test", "--cert", dir.path("b.pem"), "--key", dir.path("b.key"),
                                    "--min-tls", "1.3").status == 0)
        #expect(try await gatehouse("domain", "map", "--store", db, "--name", "a.example.test", "--api", apiId, "--stage", "prod", "--base-path", "v1").status == 0)
        #expect(try await gatehouse("domain", "map", "--store", db, "--name", "a.example.test", "--api", apiId, "--stage", "beta", "--base-path", "v2/beta").status == 0)
        #expect(try await gatehouse("domain", "map", "--store", db, "--name", "b.example.test", "--api", apiId, "--stage", "beta").status == 0)
        let taken = try await gatehouse("domain", "map", "--store", db, "--name", "a.example.test", "--api", apiId, "--stage", "beta", "--base-path", "v1")
        #expect(taken.status != 0 && taken.stderr.contains("is mapped to \(apiId)/prod"), "\(taken.stderr)")
        let listed = try await gatehouse("domain", "list", "--store", db).stdout
        #expect(listed.contains("a.example.test") && listed.contains("v2/beta->\(apiId)/beta") && listed.contains("(none)->\(apiId)/beta"), "\(listed)")

        let (worker, httpPort, port, adminPort) = try await Self.startTLSWorker(db)
        defer { worker.signal(SIGKILL) }
        let ca = dir.path("ca.pem")
        // Each name gets its own certificate (curl verifies the name against it), and each base path its stage.
        let v1 = try await Self.https("a.example.test", port: port, path: "/v1/who", ca: ca)
        #expect(v1.status == 200 && Self.echoed(v1.body)["x-stage"] == "prod" && Self.echoed(v1.body)["x-domain"] == "a.example.test", "\(v1)")
        let beta = try await Self.https("a.example.test", port: port, path: "/v2/beta/who", ca: ca)
        #expect(beta.status == 200 && Self.echoed(beta.body)["x-stage"] == "beta", "\(beta)")
        let other = try await Self.https("b.example.test", port: port, path: "/who", ca: ca)
        #expect(other.status == 200 && Self.echoed(other.body)["x-stage"] == "beta" && Self.echoed(other.body)["x-domain"] == "b.example.test", "\(other)")
        // Paths no mapping takes: AWS's 403.
        for path in ["/v2/who", "/v1x/who", "/who"] {
            let unmapped = try await Self.https("a.example.test", port: port, path: path, ca: ca)
            #expect(unmapped.status == 403 && unmapped.body.contains("Missing Authentication Token"), "\(path): \(unmapped)")
        }
        // The plain listener routes by Host the same way.
        let plain = statusAndBody(try await curl(["-w", "\n%{http_code}", "-H", "Host: a.example.test", "http://127.0.0.1:\(httpPort)/v1/who"]).stdout)
        #expect(plain.0 == 200 && Self.echoed(plain.1)["x-stage"] == "prod", "\(plain)")
        // A name with no certificate, and b's TLS 1.3 minimum, fail the handshake; both are counted.
        let unknown = try await Self.https("nope.example.test", port: port, path: "/who", ca: ca, extra: ["-k"])
        #expect(unknown.status == 0 && unknown.exit != 0, "\(unknown)")
        let old = try await Self.https("b.example.test", port: port, path: "/who", ca: ca, extra: ["--tls-max", "1.2"])
        #expect(old.status == 0 && old.exit != 0, "\(old)")
        #expect(try await Self.https("b.example.test", port: port, path: "/who", ca: ca, extra: ["--tlsv1.3"]).status == 200)
        // TLS 1.2 where the domain allows it; the same limits as the plain listener (431 for an oversized header).
        #expect(try await Self.https("a.example.test", port: port, path: "/v1/who", ca: ca, extra: ["--tls-max", "1.2"]).status == 200)
        let huge = try await Self.https("a.example.test", port: port, path: "/v1/who", ca: ca,
                                        extra: ["-H", "X-Big: " + String(repeating: "x", count: 20_000)])
        #expect(huge.status == 431, "\(huge)")
        let shown = try await gatehouse("domain", "show", "--store", db, "--name", "A.example.test").stdout
        #expect(shown.contains("names:        a.example.test") && shown.contains("mapping:      v2/beta -> \(apiId)/beta")
                && shown.contains("minimum TLS:  TLS_1_2") && shown.contains("renew it"), "\(shown)")
        // ALPN offers http/1.1.
        let alpn = try await curl(["--resolve", "a.example.test:\(port):127.0.0.1", "--cacert", ca, "-v", "-o", "/dev/null", "https://a.example.test:\(port)/v1/who"])
        #expect(alpn.stderr.contains("ALPN") && alpn.stderr.contains("http/1.1"), "\(alpn.stderr)")
        let metrics = try await curl(["http://127.0.0.1:\(adminPort)/metrics"]).stdout
        #expect(metrics.contains(#"gatehouse_tls_handshake_failures_total{reason="unknown_domain"} 1"#), "\(metrics)")
        #expect(metrics.contains(#"gatehouse_tls_handshake_failures_total{reason="protocol_version"} 1"#), "\(metrics)")
        // Certificates expiring within 30 days are flagged.
        #expect(metrics.contains(#"gatehouse_certificate_expiring{domain="a.example.test"} 1"#), "\(metrics)")

        // Unmapped and deleted while serving: refused within a second, without a restart.
        #expect(try await gatehouse("domain", "unmap", "--store", db, "--name", "a.example.test", "--base-path", "v1").status == 0)
        try await waitUntilAsync("the unmapped base path is refused") {
            try await Self.https("a.example.test", port: port, path: "/v1/who", ca: ca).status == 403
        }
        #expect(try await gatehouse("domain", "delete", "--store", db, "--name", "b.example.test").status == 0)
        try await waitUntilAsync("the deleted domain's name has no certificate") {
            try await Self.https("b.example.test", port: port, path: "/who", ca: ca).exit != 0
        }
    }

    @Test func mutualTLSVerifiesTheClientCertificateAndPassesItOn() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let certs = Certificates(dir: dir)
        try await certs.authority("ca")
        try await certs.authority("rogue")
        try await certs.issue("m", by: "ca", subject: "/CN=m.example.test", dns: "m.example.test", serial: "0x20")
        try await certs.issue("client", by: "ca", subject: "/O=Acme/CN=client one", serial: "0x1234", days: 5)
        try await certs.issue("intruder", by: "rogue", subject: "/CN=intruder", serial: "0x66")
        let backend = try await BackendProcess()
        defer { backend.stop() }
        let (db, apiId) = try await sampleStore(dir, apiText: Self.api, backend: "127.0.0.1:\(backend.port)")
        #expect(try await gatehouse("domain", "create", "--store", db, "--name", "m.example.test", "--cert", dir.path("m.pem"), "--key", dir.path("m.key"),
                                    "--truststore", dir.path("ca.pem")).status == 0)
        #expect(try await gatehouse("domain", "map", "--store", db, "--name", "m.example.test", "--api", apiId, "--stage", "prod").status == 0)
        let log = dir.path("access.log")
        #expect(try await gatehouse("logging", "set", "--store", db, "--api", apiId, "--stage", "prod", "--access-file", log, "--access-format",
                                    "$context.requestId $context.identity.clientCert.subjectDN|$context.identity.clientCert.serialNumber|$context.identity.clientCert.validity.notAfter").status == 0)
        let (worker, _, port, adminPort) = try await Self.startTLSWorker(db)
        defer { worker.signal(SIGKILL) }
        let ca = dir.path("ca.pem")

        let accepted = try await Self.https("m.example.test", port: port, path: "/who", ca: ca,
                                            extra: ["--cert", dir.path("client.pem"), "--key", dir.path("client.key")])
        let headers = Self.echoed(accepted.body)
        #expect(accepted.status == 200 && headers["x-subject"]?.contains("CN=client one") == true && headers["x-subject"]?.contains("O=Acme") == true,
                "\(accepted)")
        #expect(headers["x-serial"] == "1234", "\(headers)")
        // No certificate, or one from another CA: refused at the handshake, counted.
        let none = try await Self.https("m.example.test", port: port, path: "/who", ca: ca)
        #expect(none.status == 0 && none.exit != 0, "\(none)")
        let rogue = try await Self.https("m.example.test", port: port, path: "/who", ca: ca,
                                         extra: ["--cert", dir.path("intruder.pem"), "--key", dir.path("intruder.key")])
        #expect(rogue.status == 0 && rogue.exit != 0, "\(rogue)")
        try await waitUntilAsync("the accepted call's line is written") {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("CN=client one")
        }
        let line = (try String(contentsOfFile: log, encoding: .utf8)).split(separator: "\n").first { $0.contains("CN=client one") } ?? ""
        let fields = line.split(separator: "|").map(String.init)
        #expect(fields.count == 3 && fields[1] == "1234" && fields[2].hasSuffix("GMT"), "\(line)")
        let metrics = try await curl(["http://127.0.0.1:\(adminPort)/metrics"]).stdout
        let refusals = metrics.split(separator: "\n").filter { $0.hasPrefix("gatehouse_tls_handshake_failures_total{reason=\"client_certificate") }
        #expect(refusals.count == 2, "\(metrics)")
    }

    /// A Python client that opens a new TLS connection per call for `seconds`, plus one keep-alive connection
    /// used throughout, and prints the serial numbers it saw and every failure.
    static let rotationClient = """
        import http.client, socket, ssl, sys, time
        port, ca, name, seconds = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
        context = ssl.create_default_context(cafile=ca)
        class Conn(http.client.HTTPSConnection):
            def connect(self):
                self.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname=name)
        serials, failures, calls = [], [], 0
        kept = Conn(name, port)
        end = time.time() + seconds
        print("started", flush=True)
        while time.time() < end:
            try:
                c = Conn(name, port)
                c.request("GET", "/who")
                r = c.getresponse(); r.read()
                serial = c.sock.getpeercert()["serialNumber"]
                if r.status != 200: failures.append("status %d" % r.status)
                if not serials or serials[-1] != serial:
                    serials.append(serial); print("serial", serial, flush=True)
                c.close()
                kept.request("GET", "/who")
                r = kept.getresponse(); r.read()
                if r.status != 200: failures.append("kept status %d" % r.status)
                calls += 1
            except Exception as e:
                failures.append(repr(e))
        print("done calls=%d failures=%d serials=%s %s" % (calls, len(failures), ",".join(serials), failures[:3]), flush=True)
        """

    @Test func aCertificateRotatedOnDiskOrInTheStoreIsServedWithoutAFailedCall() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let certs = Certificates(dir: dir)
        try await certs.authority("ca")
        try await certs.issue("r1", by: "ca", subject: "/CN=r.example.test", dns: "r.example.test", serial: "0x0101")
        try await certs.issue("r2", by: "ca", subject: "/CN=r.example.test", dns: "r.example.test", serial: "0x0202")
        try await certs.issue("r3", by: "ca", subject: "/CN=r.example.test", dns: "r.example.test", serial: "0x0303")
        let backend = try await BackendProcess()
        defer { backend.stop() }
        let (db, apiId) = try await sampleStore(dir, apiText: Self.api, backend: "127.0.0.1:\(backend.port)")
        // The served files are copies, replaced on disk as a renewal tool does (a new file renamed over the old).
        try FileManager.default.copyItem(atPath: dir.path("r1.pem"), toPath: dir.path("live.pem"))
        try FileManager.default.copyItem(atPath: dir.path("r1.key"), toPath: dir.path("live.key"))
        #expect(try await gatehouse("domain", "create", "--store", db, "--name", "r.example.test", "--cert", dir.path("live.pem"),
                                    "--key", dir.path("live.key")).status == 0)
        #expect(try await gatehouse("domain", "map", "--store", db, "--name", "r.example.test", "--api", apiId, "--stage", "prod").status == 0)
        let (worker, _, port, _) = try await Self.startTLSWorker(db)
        defer { worker.signal(SIGKILL) }

        // Three clients at once, each opening a new connection per call and keeping one open throughout.
        let clients = try (0..<3).map { _ in
            try ChildProcess("/usr/bin/env", ["python3", "-c", Self.rotationClient, String(port), dir.path("ca.pem"), "r.example.test", "12"])
        }
        defer { for client in clients { client.signal(SIGKILL) } }
        let client = clients[0]
        for client in clients { _ = try await client.line(containing: "serial 0101") }
        // Key first, then certificate, each renamed into place: between the two renames the pair does not match,
        // and the worker keeps the last good pair until it does.
        try FileManager.default.copyItem(atPath: dir.path("r2.key"), toPath: dir.path("next.key"))
        try FileManager.default.copyItem(atPath: dir.path("r2.pem"), toPath: dir.path("next.pem"))
        #expect(rename(dir.path("next.key"), dir.path("live.key")) == 0)
        #expect(rename(dir.path("next.pem"), dir.path("live.pem")) == 0)
        let rotatedAt = Date()
        _ = try await client.line(containing: "serial 0202")
        #expect(Date().timeIntervalSince(rotatedAt) < 2.5, "the file's certificate was served to new connections within a second (and a call)")
        // In the store: the domain pointed at other files.
        #expect(try await gatehouse("domain", "update", "--store", db, "--name", "r.example.test", "--cert", dir.path("r3.pem"),
                                    "--key", dir.path("r3.key")).status == 0)
        let updatedAt = Date()
        _ = try await client.line(containing: "serial 0303")
        #expect(Date().timeIntervalSince(updatedAt) < 2.5)
        for client in clients {
            let done = try await client.line(containing: "done", timeout: 30)
            #expect(done.contains("failures=0") && done.contains("serials=0101,0202,0303"), "\(done)")
        }
    }

    @Test func privateAPIsAreServedOnPrivateListenersOnly() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let backend = try await BackendProcess()
        defer { backend.stop() }
        let (db, apiId) = try await sampleStore(dir, apiText: Self.api, backend: "127.0.0.1:\(backend.port)")
        let (publicWorker, publicPort) = try await startWorker(db)
        defer { publicWorker.signal(SIGKILL) }
        let refusedBind = try await gatehouse("serve", "--store", db, "--listen", "0.0.0.0:0", "--private")
        #expect(refusedBind.status != 0 && refusedBind.stderr.contains("internal address"), "\(refusedBind.stderr)")
        let privateWorker = try ChildProcess(Binary.gatehouse, ["serve", "--store", db, "--listen", "127.0.0.1:0", "--private", "--log-level", "warning"])
        defer { privateWorker.signal(SIGKILL) }
        let line = try await privateWorker.line(containing: "serving")
        #expect(line.contains("privately"), "\(line)")
        let privatePort = Int(line.split(separator: ":").last ?? "") ?? 0
        let path = "/restapis/\(apiId)/prod/_user_request_/who"
        func status(_ port: Int) async throws -> Int {
            statusAndBody(try await curl(["-w", "\n%{http_code}", "http://127.0.0.1:\(port)\(path)"]).stdout).0
        }
        #expect(try await status(publicPort) == 200)
        #expect(try await gatehouse("api", "endpoint", "--store", db, "--api", apiId, "--type", "PRIVATE").status == 0)
        try await waitUntilAsync("the public listener refuses the PRIVATE API") { try await status(publicPort) == 403 }
        let refused = statusAndBody(try await curl(["-w", "\n%{http_code}", "http://127.0.0.1:\(publicPort)\(path)"]).stdout)
        #expect(refused.1 == #"{"message":"Forbidden"}"#, "\(refused)")
        #expect(try await status(privatePort) == 200)
        #expect(try await gatehouse("api", "endpoint", "--store", db, "--api", apiId, "--type", "REGIONAL").status == 0)
        try await waitUntilAsync("the public listener serves it again") { try await status(publicPort) == 200 }
    }
}

/// A stage's client certificate presented to a real HTTPS backend that requires it (Python's ssl module with
/// CERT_REQUIRED and the certificate from `client-cert show --pem` as its only trust anchor).
@Suite struct BackendClientCertificateTests {
    static let backend = """
        import http.server, json, ssl, sys
        cert, key, clients = sys.argv[1:4]
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                peer = self.connection.getpeercert() or {}
                subject = dict(item[0] for item in peer.get("subject", ()))
                body = json.dumps({"client": subject.get("commonName", ""), "path": self.path}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args): pass
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(clients)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print("listening", server.server_address[1], flush=True)
        server.serve_forever()
        """

    static let api = """
        openapi: 3.0.1
        info: {title: Backend TLS, version: "1"}
        paths:
          /secure:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "https://${stageVariables.backend}/secure"}
          /unverified:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: "https://${stageVariables.backend}/unverified"
                tlsConfig: {insecureSkipVerification: true}
        """

    @Test func theStagesCertificateIsPresentedToAnHTTPSBackendThatRequiresIt() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let certs = TLSTests.Certificates(dir: dir)
        try await certs.authority("ca")
        try await certs.authority("other")
        // The backend's certificate names 127.0.0.1; "other" is a CA the worker does not trust.
        try await certs.openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=backend",
                                 "-keyout", dir.path("backend.key"), "-out", dir.path("backend.csr")])
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: dir.path("backend.ext"), atomically: true, encoding: .utf8)
        for (file, ca) in [("backend", "ca"), ("untrusted", "other")] {
            try await certs.openssl(["x509", "-req", "-in", dir.path("backend.csr"), "-CA", dir.path("\(ca).pem"), "-CAkey", dir.path("\(ca).key"),
                                     "-set_serial", "0x77", "-days", "5", "-extfile", dir.path("backend.ext"), "-out", dir.path("\(file).pem")])
        }
        let (db, apiId) = try await sampleStore(dir, apiText: Self.api, deploy: false)
        let made = try await gatehouse("client-cert", "create", "--store", db, "--description", "to the orders backend")
        let certificateId = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(made.status == 0 && certificateId.count == 10, "\(made)")
        let pem = try await gatehouse("client-cert", "show", "--store", db, "--id", certificateId, "--pem").stdout
        #expect(pem.hasPrefix("-----BEGIN CERTIFICATE-----"), "\(pem)")
        try pem.write(toFile: dir.path("gateway-client.pem"), atomically: true, encoding: .utf8)
        #expect(try await gatehouse("client-cert", "list", "--store", db).stdout.contains("to the orders backend"))

        let (backend, backendURL) = try await pythonServer(Self.backend, [dir.path("backend.pem"), dir.path("backend.key"), dir.path("gateway-client.pem")])
        defer { backend.signal(SIGKILL) }
        let backendAddress = String(backendURL.dropFirst("http://".count))
        #expect(try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod", "--var", "backend=\(backendAddress)").status == 0)
        let (worker, port) = try await startWorker(db, arguments: ["--backend-ca", dir.path("ca.pem")])
        defer { worker.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)/restapis/\(apiId)/prod/_user_request_"
        func call(_ path: String) async throws -> (Int, String) {
            statusAndBody(try await curl(["-w", "\n%{http_code}", base + path]).stdout)
        }
        // Without the certificate the backend refuses the handshake: 502.
        #expect(try await call("/secure").0 == 502)
        #expect(try await gatehouse("stage", "set", "--store", db, "--api", apiId, "--stage", "prod", "--client-cert", certificateId).status == 0)
        try await waitUntilAsync("the stage presents its certificate") { try await call("/secure").0 == 200 }
        let answered = try await call("/secure")
        #expect(answered.1.contains(#""client": "gatehouse client certificate \#(certificateId)""#), "\(answered)")
        // Deleting a certificate a stage presents is refused; with the stage's certificate unset, 502 again.
        let refused = try await gatehouse("client-cert", "delete", "--store", db, "--id", certificateId)
        #expect(refused.status != 0 && refused.stderr.contains("is presented by \(apiId)/prod"), "\(refused.stderr)")
        #expect(try await gatehouse("stage", "set", "--store", db, "--api", apiId, "--stage", "prod", "--client-cert", "none").status == 0)
        try await waitUntilAsync("the stage stops presenting it") { try await call("/secure").0 == 502 }
        #expect(try await gatehouse("client-cert", "delete", "--store", db, "--id", certificateId).status == 0)
    }

    @Test func backendsAreVerifiedUnlessTheIntegrationSaysOtherwise() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let certs = TLSTests.Certificates(dir: dir)
        try await certs.authority("ca")
        try await certs.authority("other")
        try await certs.issue("untrusted", by: "other", subject: "/CN=backend", serial: "0x78")
        // No client certificate required here: the backend trusts any (the truststore is its own CA, unused).
        let (db, apiId) = try await sampleStore(dir, apiText: Self.api, deploy: false)
        let script = Self.backend.replacingOccurrences(of: "context.verify_mode = ssl.CERT_REQUIRED", with: "context.verify_mode = ssl.CERT_NONE")
        let (backend, backendURL) = try await pythonServer(script, [dir.path("untrusted.pem"), dir.path("untrusted.key"), dir.path("ca.pem")])
        defer { backend.signal(SIGKILL) }
        #expect(try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod", "--var", "backend=\(backendURL.dropFirst("http://".count))").status == 0)
        let worker = try ChildProcess(Binary.gatehouse, ["serve", "--store", db, "--listen", "127.0.0.1:0", "--backend-ca", dir.path("ca.pem")])
        defer { worker.signal(SIGKILL) }
        let line = try await worker.line(containing: "serving")
        let port = Int(line.split(separator: ":").last ?? "") ?? 0
        let base = "http://127.0.0.1:\(port)/restapis/\(apiId)/prod/_user_request_"
        // A certificate from a CA the worker does not trust: refused (502); the integration that turns the check off
        // is served, and the worker says so in its log.
        #expect(statusAndBody(try await curl(["-w", "\n%{http_code}", base + "/secure"]).stdout).0 == 502)
        #expect(statusAndBody(try await curl(["-w", "\n%{http_code}", base + "/unverified"]).stdout).0 == 200)
        try await waitUntil("the worker logs the unverified backend") { worker.stderr.contains("NOT verified") }
        let warning = worker.stderr.split(separator: "\n").first { $0.contains("NOT verified") } ?? ""
        #expect(warning.contains("GET /unverified") && !worker.stderr.contains("GET /secure"), "\(warning)")
    }
}

/// The console over a store with custom domains and a live TLS worker, under tmux at 120×40 and 80×24: the
/// Domains view, the header's expiring-certificate and handshake-failure badges, the APIs view's endpoint column.
@Suite struct DomainsConsoleTests {
    @Test func domainsExpiryAndHandshakeFailuresAreOnScreen() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let certs = TLSTests.Certificates(dir: dir)
        try await certs.authority("ca")
        try await certs.issue("soon", by: "ca", subject: "/CN=soon.example.test", dns: "soon.example.test", serial: "0x31", days: 5)
        try await certs.issue("later", by: "ca", subject: "/CN=later.example.test", dns: "later.example.test", serial: "0x32", days: 90)
        let backend = try await BackendProcess()
        defer { backend.stop() }
        let (db, apiId) = try await sampleStore(dir, apiText: TLSTests.api, backend: "127.0.0.1:\(backend.port)")
        #expect(try await gatehouse("domain", "create", "--store", db, "--name", "soon.example.test", "--cert", dir.path("soon.pem"), "--key", dir.path("soon.key")).status == 0)
        #expect(try await gatehouse("domain", "create", "--store", db, "--name", "later.example.test", "--cert", dir.path("later.pem"),
                                    "--key", dir.path("later.key"), "--truststore", dir.path("ca.pem"), "--min-tls", "1.3").status == 0)
        #expect(try await gatehouse("domain", "map", "--store", db, "--name", "later.example.test", "--api", apiId, "--stage", "prod", "--base-path", "v1").status == 0)
        #expect(try await gatehouse("api", "endpoint", "--store", db, "--api", apiId, "--type", "PRIVATE").status == 0)
        let (worker, _, port, _) = try await TLSTests.startTLSWorker(db)
        defer { worker.signal(SIGKILL) }
        _ = try await TLSTests.https("unknown.example.test", port: port, path: "/", ca: dir.path("ca.pem"), extra: ["-k"])

        let tmux = ConsoleTmuxTests.Tmux()
        defer { Task { await tmux.kill() } }
        _ = try await tmux.run(["new-session", "-d", "-s", "t", "-x", "120", "-y", "40", "-e", "LANG=C.UTF-8",
                                "\(Binary.gatehouse) console --store \(db) --refresh 0.5; echo CONSOLE-EXITED $?; sleep 60"])
        let header = try await tmux.waitFor("the header's badges") { $0.contains("cert soon.example.test 4d") && $0.contains("TLS ✗1") }
        #expect(header.split(separator: "\n").first?.contains("worker up") == true, "\(header)")
        try await tmux.send(":", "domains", "Enter")
        let view = try await tmux.waitFor("the Domains view") { $0.contains("DOMAIN") && $0.contains("later.example.test") }
        let later = view.split(separator: "\n").first { $0.contains("later.example.test") } ?? ""
        #expect(later.contains("1.3") && later.contains("yes") && later.contains("v1 → \(apiId)/prod"), "\(view)")
        let soon = view.split(separator: "\n").first { $0.contains("soon.example.test") && !$0.contains("cert ") } ?? ""
        #expect(soon.contains(" 4d") && soon.contains("no"), "\(view)")
        // Soonest expiry first; Enter describes it.
        #expect((view.range(of: "soon.example.test  ")?.lowerBound ?? view.endIndex) < (view.range(of: "later.example.test")?.lowerBound ?? view.startIndex), "\(view)")
        try await tmux.send("Enter")
        try await tmux.waitFor("the description") { $0.contains("domain soon.example.test") && $0.contains("minimum TLS") }
        try await tmux.send("Escape")
        // At 80×24 the header keeps the certificate badge.
        _ = try await tmux.run(["resize-window", "-t", "t", "-x", "80", "-y", "24"])
        try await tmux.waitFor("the narrow header") { screen in
            screen.split(separator: "\n").first.map { $0.contains("cert soon.example.test") } == true
        }
        _ = try await tmux.run(["resize-window", "-t", "t", "-x", "120", "-y", "40"])
        try await tmux.send("2")
        let narrow = try await tmux.waitFor("the APIs view's endpoint column at 120") { $0.contains("ENDPOINT") && $0.contains("PRIVATE") }
        #expect(narrow.contains("PRIVATE"), "\(narrow)")
        _ = try await tmux.run(["resize-window", "-t", "t", "-x", "200", "-y", "40"])
        // Wider, the domains reaching the stage show (as a count where the column cannot hold their names).
        let apis = try await tmux.waitFor("the APIs view's endpoint column, wide") {
            $0.contains("PRIVATE later.example.test/v1") || $0.contains("PRIVATE +1")
        }
        #expect(apis.contains("ENDPOINT"), "\(apis)")
        // Quit, and take the tmux server down before the test ends (a deferred Task may never run).
        try await tmux.send("q")
        try await tmux.waitFor("the console exits") { $0.contains("CONSOLE-EXITED 0") }
        await tmux.kill()
    }
}

/// Mutual TLS and a REQUEST authorizer: the verified client certificate is an identity source and is in the
/// authorizer's event (`requestContext.identity.clientCert`), as AWS sends it.
@Suite struct ClientCertificateAuthorizerTests {
    @Test func theClientCertificateReachesTheAuthorizer() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let certs = TLSTests.Certificates(dir: dir)
        try await certs.authority("ca")
        try await certs.issue("m", by: "ca", subject: "/CN=m.example.test", dns: "m.example.test", serial: "0x21")
        try await certs.issue("client", by: "ca", subject: "/O=Acme/CN=client two", serial: "0x4321", days: 5)
        let (authorizer, authorizerURL) = try await pythonServer(CustomAuthorizerTests.authorizerServer)
        defer { authorizer.signal(SIGKILL) }
        let backend = try await BackendProcess()
        defer { backend.stop() }
        let api = """
            openapi: 3.0.1
            info: {title: Cert authorizer, version: "1"}
            components:
              securitySchemes:
                cert:
                  type: apiKey
                  name: X-Unused
                  in: header
                  x-amazon-apigateway-authtype: custom
                  x-amazon-apigateway-authorizer:
                    type: request
                    authorizerUri: "\(authorizerURL)/authorize"
                    identitySource: "context.identity.clientCert.subjectDN"
                    authorizerResultTtlInSeconds: 300
            paths:
              /req:
                get:
                  security: [{cert: []}]
                  responses: {"200": {description: ok}}
                  x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "http://${stageVariables.backend}/req"}
            """
        let (db, apiId) = try await sampleStore(dir, apiText: api, backend: "127.0.0.1:\(backend.port)")
        #expect(try await gatehouse("domain", "create", "--store", db, "--name", "m.example.test", "--cert", dir.path("m.pem"), "--key", dir.path("m.key"),
                                    "--truststore", dir.path("ca.pem")).status == 0)
        #expect(try await gatehouse("domain", "map", "--store", db, "--name", "m.example.test", "--api", apiId, "--stage", "prod").status == 0)
        let (worker, httpPort, port, _) = try await TLSTests.startTLSWorker(db)
        defer { worker.signal(SIGKILL) }
        let answered = try await TLSTests.https("m.example.test", port: port, path: "/req", ca: dir.path("ca.pem"),
                                                extra: ["--cert", dir.path("client.pem"), "--key", dir.path("client.key")])
        #expect(answered.status == 200, "\(answered)")
        let state = try JSONSerialization.jsonObject(with: Data(try await curl([authorizerURL + "/"]).stdout.utf8)) as? [String: Any]
        let event = state?["last"] as? [String: Any]
        let identity = (event?["requestContext"] as? [String: Any])?["identity"] as? [String: Any]
        let certificate = identity?["clientCert"] as? [String: Any]
        #expect((certificate?["subjectDN"] as? String)?.contains("CN=client two") == true, "\(String(describing: event))")
        #expect(certificate?["serialNumber"] as? String == "4321")
        #expect((certificate?["clientCertPem"] as? String)?.hasPrefix("-----BEGIN CERTIFICATE-----") == true)
        #expect((certificate?["validity"] as? [String: Any])?["notAfter"] != nil)
        // Over the plain listener there is no certificate: with answers cached, the identity source is required, so
        // AWS's 401 without asking the authorizer.
        let plain = statusAndBody(try await curl(["-w", "\n%{http_code}", "-H", "Host: m.example.test", "http://127.0.0.1:\(httpPort)/req"]).stdout)
        #expect(plain.0 == 401, "\(plain)")
        let calls = (try JSONSerialization.jsonObject(with: Data(try await curl([authorizerURL + "/"]).stdout.utf8)) as? [String: Any])?["calls"] as? Int
        #expect(calls == 1)
    }
}
