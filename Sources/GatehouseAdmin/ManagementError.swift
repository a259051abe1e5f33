import GatehouseCore
import GatehouseStore

/// An error of the management API in AWS's shape: a status, the type botocore reads from `x-amzn-ErrorType`
/// (and turns into `client.exceptions.NotFoundException` …) and a message.
public struct ManagementError: Error, Sendable, CustomStringConvertible {
    public let status: Int
    public let type: String
    public let message: String

    public init(status: Int, type: String, message: String) {
        self.status = status
        self.type = type
        self.message = message
    }

    public var description: String { "\(type) (\(status)): \(message)" }

    static func notFound(_ message: String) -> ManagementError { ManagementError(status: 404, type: "NotFoundException", message: message) }
    static func badRequest(_ message: String) -> ManagementError { ManagementError(status: 400, type: "BadRequestException", message: message) }
    static func conflict(_ message: String) -> ManagementError { ManagementError(status: 409, type: "ConflictException", message: message) }
    static func forbidden(_ type: String, _ message: String) -> ManagementError { ManagementError(status: 403, type: type, message: message) }

    /// An operation the model has and Gatehouse does not run (yet): 501, naming it.
    static func unsupported(_ operation: String) -> ManagementError {
        ManagementError(status: 501, type: "NotImplementedException",
                        message: "Gatehouse does not support the \(operation) operation; README lists the operations it runs")
    }

    /// A store error as AWS would answer it: missing things 404, refused changes 400, a busy store 429.
    static func from(_ error: any Error) -> ManagementError {
        if let error = error as? ManagementError { return error }
        if let error = error as? StoreError {
            switch error {
            case .notFound: return .notFound(error.description)
            case .invalid(let message):
                return message.contains("exists already") ? .conflict(message) : .badRequest(message)
            case .locked: return ManagementError(status: 429, type: "TooManyRequestsException", message: error.description)
            default: return ManagementError(status: 500, type: "InternalServerErrorException", message: error.description)
            }
        }
        if let error = error as? ImportError { return .badRequest(error.description) }
        if let error = error as? ApiKeyImport.ImportError { return .badRequest(error.description) }
        return ManagementError(status: 500, type: "InternalServerErrorException", message: "\(error)")
    }
}
