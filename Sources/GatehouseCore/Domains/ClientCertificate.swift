import Foundation

/// A certificate the gateway presents to HTTPS backends (AWS's `ClientCertificate`, made by
/// `GenerateClientCertificate`): backends that trust it know a call came through the gateway. Its private key
/// never leaves the store except to the worker.
public struct ClientCertificate: Codable, Sendable, Equatable {
    public var clientCertificateId: String
    public var description: String?
    public var pemEncodedCertificate: String
    public var createdDate: Date
    public var expirationDate: Date

    public init(clientCertificateId: String, description: String?, pemEncodedCertificate: String, createdDate: Date, expirationDate: Date) {
        self.clientCertificateId = clientCertificateId
        self.description = description
        self.pemEncodedCertificate = pemEncodedCertificate
        self.createdDate = createdDate
        self.expirationDate = expirationDate
    }
}

extension GatewayConfiguration {
    /// A client certificate as the worker needs it to present: the certificate and its key, both PEM.
    public struct ServedClientCertificate: Sendable, Hashable {
        public var id: String
        public var certificatePem: String
        public var privateKeyPem: String

        public init(id: String, certificatePem: String, privateKeyPem: String) {
            self.id = id
            self.certificatePem = certificatePem
            self.privateKeyPem = privateKeyPem
        }
    }
}
