import Foundation
import GatehouseCore
import NIOCore
import NIOSSL
import NIOTLS
import X509

/// Sits after the TLS handler on a TLS connection: when the handshake completes it reads the verified client
/// certificate (mutual TLS) and hands the connection handler a `TLSConnectionInfo`; when the handshake fails it
/// counts the failure and closes the connection (a failed handshake is never an error of the worker).
final class TLSHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The user event the connection handler receives once the handshake is done.
    struct Established {
        let info: TLSConnectionInfo
    }

    private let serverName: String?
    private let metrics: GatewayMetrics
    private var established = false
    /// The failure was counted already (an error, then the close it causes).
    private var counted = false

    init(serverName: String?, metrics: GatewayMetrics) {
        self.serverName = serverName
        self.metrics = metrics
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            established = true
            let peer = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).peerCertificate
            let identity = peer.flatMap(Self.identity(of:))
            context.fireUserInboundEventTriggered(Established(info: TLSConnectionInfo(serverName: serverName, clientCertificate: identity)))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !established else {
            context.fireErrorCaught(error)
            return
        }
        if !counted { metrics.countHandshakeFailure(reason: Self.reason(error)) }
        counted = true
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !established, !counted { metrics.countHandshakeFailure(reason: "closed_before_handshake") }
        counted = true
        context.fireChannelInactive()
    }

    static func reason(_ error: any Error) -> String {
        let text = "\(error)".lowercased()
        if text.contains("peer_did_not_return_a_certificate") || text.contains("certificate_required") { return "client_certificate_missing" }
        if text.contains("certificate_verify_failed") || text.contains("certificate verify failed") { return "client_certificate_refused" }
        if text.contains("unsupported_protocol") || text.contains("protocol_version") { return "protocol_version" }
        return "handshake"
    }

    /// AWS's `clientCert` fields of a verified certificate.
    static func identity(of certificate: NIOSSLCertificate) -> ClientCertificateIdentity? {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der),
              let pem = try? parsed.serializeAsPEM().pemString else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "MMM d HH:mm:ss yyyy 'GMT'"
        let serial = parsed.serialNumber.bytes.map { String(format: "%02x", $0) }.joined()
        return ClientCertificateIdentity(clientCertPem: pem, subjectDN: parsed.subject.description, issuerDN: parsed.issuer.description,
                                         serialNumber: serial, notBefore: formatter.string(from: parsed.notValidBefore),
                                         notAfter: formatter.string(from: parsed.notValidAfter))
    }
}
