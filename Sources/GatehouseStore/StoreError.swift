/// What went wrong with the store, phrased for the person at the terminal: what happened and what to do.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case missing(path: String)
    case newerSchema(path: String)
    case olderSchema(path: String)
    case notAStore(path: String, reason: String)
    case locked(path: String)
    case cannotOpen(path: String, reason: String)
    case notFound(what: String, hint: String)
    case invalid(String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "no store at \(path): create one with `gatehouse import FILE --store \(path)`, or pass --store PATH"
        case .newerSchema(let path):
            return "the store \(path) was written by a newer gatehouse; upgrade this binary to use it (nothing was changed)"
        case .olderSchema(let path):
            return "the store \(path) has an older schema than this gatehouse; upgrade it with `gatehouse init --store \(path)` (read-only use never writes)"
        case .notAStore(let path, let reason):
            return "not a Gatehouse store: \(path) (\(reason)); nothing was changed. Pass the right --store, or create one with `gatehouse init --store NEW_PATH`"
        case .locked(let path):
            return "the store \(path) stayed locked by another process past the busy timeout; try again, or look for a stuck process holding it"
        case .cannotOpen(let path, let reason):
            return "cannot open the store \(path): \(reason)"
        case .notFound(let what, let hint):
            return "\(what) does not exist; \(hint)"
        case .invalid(let message):
            return message
        }
    }
}
