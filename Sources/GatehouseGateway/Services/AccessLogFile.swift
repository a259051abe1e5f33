import Foundation
import GatehouseCore

/// Appends formatted access-log lines to a stage's file, rotating by size (`file` → `file.1` … `file.N`).
/// Called from the telemetry writer on the I/O pool, never on the data path.
enum AccessLogFile {
    static func append(_ lines: [String], settings: AccessLogSettings) throws {
        guard let path = settings.file, !lines.isEmpty else { return }
        let data = Data((lines.joined(separator: "\n") + "\n").utf8)
        let manager = FileManager.default
        let size = (try? manager.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        if size > 0 && size + data.count > settings.maxBytes {
            try rotate(path, keep: max(1, settings.keep))
        }
        if !manager.fileExists(atPath: path) {
            guard manager.createFile(atPath: path, contents: nil) else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
            }
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
    }

    static func rotate(_ path: String, keep: Int) throws {
        let manager = FileManager.default
        try? manager.removeItem(atPath: "\(path).\(keep)")
        if keep > 1 {
            for index in stride(from: keep - 1, through: 1, by: -1) where manager.fileExists(atPath: "\(path).\(index)") {
                try manager.moveItem(atPath: "\(path).\(index)", toPath: "\(path).\(index + 1)")
            }
        }
        try manager.moveItem(atPath: path, toPath: "\(path).1")
    }
}
