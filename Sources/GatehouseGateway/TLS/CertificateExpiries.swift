import Foundation
import GatehouseStore
import NIOConcurrencyHelpers

/// Each domain certificate's expiry for `/metrics`, read from its file once and again only when the file changes
/// (inode, size, modification time), so a scrape stats files rather than parsing every certificate each time.
final class CertificateExpiries: Sendable {
    private let known = NIOLockedValueBox<[String: (stamp: TLSContexts.FileStamp, notAfter: Date?)]>([:])

    /// The certificate's expiry at `path`; nil when the file cannot be read.
    func notAfter(_ path: String) -> Date? {
        let stamp = TLSContexts.FileStamp(path: path)
        if let kept = known.withLockedValue({ $0[path] }), kept.stamp == stamp { return kept.notAfter }
        let notAfter = (try? CertificateFiles.certificates(at: path, what: "certificate").first)?.notValidAfter
        known.withLockedValue { $0[path] = (stamp, notAfter) }
        return notAfter
    }
}
