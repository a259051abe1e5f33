import GatehouseCore

/// How the worker speaks TLS to an HTTPS backend beyond the standard way (verify against the trusted CAs, no
/// client certificate): the stage's client certificate, and an integration's `insecureSkipVerification`.
/// Compared by the certificate's id (ids are never reused for other content), so pool lookups stay cheap.
public struct UpstreamTLSProfile: Hashable, Sendable {
    public var clientCertificate: GatewayConfiguration.ServedClientCertificate?
    public var insecureSkipVerification: Bool

    public init(clientCertificate: GatewayConfiguration.ServedClientCertificate? = nil, insecureSkipVerification: Bool = false) {
        self.clientCertificate = clientCertificate
        self.insecureSkipVerification = insecureSkipVerification
    }

    var isStandard: Bool { clientCertificate == nil && !insecureSkipVerification }

    public static func == (a: UpstreamTLSProfile, b: UpstreamTLSProfile) -> Bool {
        a.clientCertificate?.id == b.clientCertificate?.id && a.insecureSkipVerification == b.insecureSkipVerification
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(clientCertificate?.id)
        hasher.combine(insecureSkipVerification)
    }
}
