import GatehouseCore
import NIOHTTP1

/// Request validation (AWS's request validators): a call that lacks a required path, query or header parameter
/// is answered 400 `BAD_REQUEST_PARAMETERS` with AWS's `Missing required request parameters: [...]` after the
/// key and throttle checks and before the cache or the backend. In a chain only where the method's validator
/// checks parameters and the method declares required ones.
struct ValidationStage: GatewayStage {
    let required: [String: Bool]

    func handle(_ request: GatewayRequest, context: RequestContext, next: GatewayNext) -> StageResult {
        let missing = RequestValidator.missingParameters(required: required) { location, name in
            switch location {
            case "path": return !(context.match?.pathParameters[name]?.isEmpty ?? true)
            case "querystring": return request.queryPairs.contains { $0.name == name }
            default: return request.head.headers.contains(name: name)
            }
        }
        guard missing.isEmpty else {
            return .response(context.fail(.badRequestParameters, message: "Missing required request parameters: [\(missing.joined(separator: ", "))]"))
        }
        return next(request, context)
    }
}
