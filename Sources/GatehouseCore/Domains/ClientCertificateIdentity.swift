/// The certificate a client presented and the worker verified at the TLS handshake (mutual TLS), as AWS gives
/// it to access logs, mapping templates and authorizers: `$context.identity.clientCert.*`.
public struct ClientCertificateIdentity: Sendable, Equatable, Codable {
    public var clientCertPem: String
    public var subjectDN: String
    public var issuerDN: String
    public var serialNumber: String
    /// `validity.notBefore` and `validity.notAfter`, as AWS writes them (`Nov 28 08:00:00 2026 GMT`).
    public var notBefore: String
    public var notAfter: String

    public init(clientCertPem: String, subjectDN: String, issuerDN: String, serialNumber: String, notBefore: String, notAfter: String) {
        self.clientCertPem = clientCertPem
        self.subjectDN = subjectDN
        self.issuerDN = issuerDN
        self.serialNumber = serialNumber
        self.notBefore = notBefore
        self.notAfter = notAfter
    }

    /// The `context.identity.clientCert.*` variables, keyed without the `identity.clientCert.` prefix.
    public var variables: [String: String] {
        ["clientCertPem": clientCertPem, "subjectDN": subjectDN, "issuerDN": issuerDN, "serialNumber": serialNumber,
         "validity.notBefore": notBefore, "validity.notAfter": notAfter]
    }
}
