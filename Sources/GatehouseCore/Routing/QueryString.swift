import Foundation

/// A request's query string as parameters, decoded one way for the data plane and the management API alike.
public enum QueryString {
    /// Every parameter in order, percent-decoded (`+` as a space), repeats kept.
    public static func pairs(_ query: String?) -> [(name: String, value: String)] {
        (query ?? "").split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(kv[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(kv[0])
            let value = kv.count > 1 ? (String(kv[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(kv[1])) : ""
            return (name, value)
        }
    }
}
