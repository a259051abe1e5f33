import Foundation
import GatehouseCore
import NIOCore
import NIOHTTP1

/// Request validation (AWS's request validators): a call that lacks a required path, query or header parameter
/// is answered 400 `BAD_REQUEST_PARAMETERS` with AWS's `Missing required request parameters: [...]`; where the
/// validator checks bodies, the body is read (within the body limit), parsed as JSON and checked against the
/// method's model for its content type: 400 `BAD_REQUEST_BODY` `Invalid request body`, the reason in the access
/// log's error column, then replayed to the integration. After the key and throttle checks, before the cache and
/// the backend. In a chain only where the method's validator has something to check.
struct ValidationStage: GatewayStage {
    /// Required parameters, when the validator checks parameters.
    let required: [String: Bool]?
    /// Content type → model, with the API's models, when the validator checks bodies.
    let bodyModels: [String: String]?
    let schemas: JSONSchemaValidator?

    func handle(_ request: GatewayRequest, context: RequestContext, next: GatewayNext) -> StageResult {
        if let required {
            let missing = RequestValidator.missingParameters(required: required) { location, name in
                switch location {
                case "path": return !(context.match?.pathParameters[name]?.isEmpty ?? true)
                case "querystring": return request.queryPairs.contains { $0.name == name }
                default: return request.head.headers.contains(name: name)
                }
            }
            if !missing.isEmpty {
                return .response(context.fail(.badRequestParameters, message: "Missing required request parameters: [\(missing.joined(separator: ", "))]"))
            }
        }
        guard let bodyModels, let schemas else { return next(request, context) }
        let contentType = CompiledTemplates.mediaType(request.head.headers.first(name: "content-type"))
        guard let model = bodyModels[contentType] ?? (bodyModels.count == 1 && contentType == "application/json" ? bodyModels.values.first : nil) else {
            return next(request, context)
        }
        guard request.body != nil else {
            return .response(invalid(context, "no body; the model \(model) applies"))
        }
        let pending = PendingResponse()
        BodyCollector.read(request) { result in
            switch result {
            case .failure(let error):
                pending.complete(context.fail(.badRequestBody, detail: "the body could not be read: \(error)"))
            case .success(let (replay, bytes)):
                guard let value = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else {
                    pending.complete(invalid(context, "the body is not JSON"))
                    return
                }
                if let problem = schemas.problem(with: value, model: model) {
                    pending.complete(invalid(context, "model \(model): \(problem)"))
                    return
                }
                var forwarded = request
                forwarded.body = replay
                pending.complete(with: next(forwarded, context))
            }
        }
        return .pending(pending)
    }

    private func invalid(_ context: RequestContext, _ detail: String) -> GatewayResponse {
        context.fail(.badRequestBody, message: GatewayResponseType.badRequestBody.message, detail: detail)
    }
}
