import Foundation

/// Number formatting shared by the views: compact, unit-bearing, and never "0" for a real non-zero error rate.
enum Format {
    static func ms(_ value: Double?) -> String {
        guard let value else { return "-" }
        if value == 0 { return "0" }
        if value >= 1000 { return fixed(value / 1000, 1) + "s" }
        if value >= 100 { return fixed(value, 0) + "ms" }
        if value >= 10 { return fixed(value, 1) + "ms" }
        return fixed(value, 2) + "ms"
    }

    static func rate(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value >= 1000 { return fixed(value / 1000, 1) + "k" }
        if value >= 10 || value == value.rounded() { return fixed(value, 0) }
        return fixed(value, 1)
    }

    /// A share of `total` as a percentage; anything above zero shows at least "<0.1%".
    static func percent(_ part: Int, of total: Int) -> String {
        guard total > 0, part > 0 else { return "0%" }
        let p = Double(part) * 100 / Double(total)
        if p < 0.1 { return "<0.1%" }
        return p >= 10 ? fixed(p, 0) + "%" : fixed(p, 1) + "%"
    }

    static func bytes(_ value: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var v = Double(value)
        var unit = 0
        while v >= 1024 && unit < units.count - 1 {
            v /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : String(format: "%.1f %@", v, units[unit])
    }

    static func limit(_ rate: Double, _ burst: Int) -> String {
        let r = rate == rate.rounded() ? String(Int(rate)) : String(rate)
        return "\(r)/s b\(burst)"
    }

    static let dateTime: DateFormatter = {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }()

    static let day: DateFormatter = {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }()

    static func age(_ seconds: Double) -> String {
        if seconds < 60 { return "\(Int(seconds))s" }
        if seconds < 3600 { return "\(Int(seconds / 60))m" }
        if seconds < 86_400 { return "\(Int(seconds / 3600))h" }
        return "\(Int(seconds / 86_400))d"
    }

    /// Words laid out in lines of at most `width` characters (a word longer than a line is split).
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [text] }
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            var word = String(word)
            while word.count > width {
                if !line.isEmpty { lines.append(line); line = "" }
                lines.append(String(word.prefix(width)))
                word = String(word.dropFirst(width))
            }
            if line.isEmpty {
                line = word
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = word
            }
        }
        lines.append(line)
        return lines
    }

    /// Fits `text` to a width by cutting its middle: the start (what kind of thing) and the end (which one) stay.
    static func middle(_ text: String) -> (Int) -> String {
        { width in
            guard text.count > width, width > 4 else { return text }
            let head = (width - 1) / 3
            return String(text.prefix(head)) + "…" + String(text.suffix(width - 1 - head))
        }
    }

    /// `text` cut or padded with spaces to exactly `length` characters (as NSString's `padding(toLength:)`,
    /// which bridged to Foundation on every log line: a tenth of a live Logs refresh in perf).
    static func pad(_ text: String, _ length: Int) -> String {
        let count = text.count
        if count == length { return text }
        return count > length ? String(text.prefix(length)) : text + String(repeating: " ", count: length - count)
    }

    /// `HH:mm:ss` in UTC by arithmetic: the access-log lines of a live Logs view, without a formatter per line.
    static func clockUTC(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let day = ((seconds % 86_400) + 86_400) % 86_400
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(day / 3600)):\(two(day / 60 % 60)):\(two(day % 60))"
    }

    /// `value` with `decimals` digits after the point (0 to 3), as `%.Nf` prints it (but never "-0") without Foundation's
    /// `String(format:)`, whose argument boxing was a tenth of a live Logs refresh in perf.
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return String(value) }
        let scale = [1.0, 10, 100, 1000][min(max(decimals, 0), 3)]
        let scaled = (abs(value) * scale).rounded(.toNearestOrEven)
        guard scaled < 1e15 else { return String(format: "%.\(decimals)f", value) }
        let units = Int64(scaled), whole = units / Int64(scale), fraction = units % Int64(scale)
        let sign = value < 0 && units != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(whole) }
        let digits = String(fraction)
        return sign + String(whole) + "." + String(repeating: "0", count: decimals - digits.count) + digits
    }
}
