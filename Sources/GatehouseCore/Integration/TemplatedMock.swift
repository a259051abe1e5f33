import Foundation

/// A MOCK integration whose templates read the request: the request template (picked by the request's
/// content type, under the passthrough behavior) is rendered and its `statusCode` selects the integration
/// response, whose template (picked by `Accept`) is rendered for the body. Parsed once per configuration.
public struct TemplatedMock: Sendable {
    let request: CompiledTemplates
    let behavior: PassthroughBehavior
    let selection: CompiledResponseSelection
    /// Integration response key → its templates.
    let responses: [String: (response: IntegrationResponse, templates: CompiledTemplates)]

    public init(_ integration: Integration) throws(MappingTemplateError) {
        request = try CompiledTemplates(integration.requestTemplates, role: "request")
        behavior = PassthroughBehavior(integration.passthroughBehavior)
        selection = CompiledResponseSelection(integration.integrationResponses)
        var responses: [String: (IntegrationResponse, CompiledTemplates)] = [:]
        for (key, response) in integration.integrationResponses {
            responses[response.statusCode + "\u{1F}" + (response.selectionPattern ?? "")] =
                (response, try CompiledTemplates(response.responseTemplates, role: "\(key) response"))
        }
        self.responses = responses
    }

    /// What a call gets.
    public enum Outcome {
        case answer(status: Int, headers: [(name: String, value: String)], contentType: String?, body: [UInt8])
        /// The passthrough behavior refuses the request's content type (415).
        case unsupportedMediaType
        /// A template failed while rendering.
        case failed(String)
    }

    public func answer(_ input: TemplateInput, contentType: String?, accept: String?) -> Outcome {
        let requested: Int
        switch request.decide(contentType: contentType, behavior: behavior) {
        case .unsupported:
            return .unsupportedMediaType
        case .passThrough:
            requested = CompiledMock.statusCode(in: input.body)
        case .template(let type, let template):
            do {
                requested = CompiledMock.statusCode(in: try template.render(input))
            } catch {
                return .failed("Unable to transform request: the request template for \(type): \(error)")
            }
        }
        guard let selected = selection.select(status: requested),
              let entry = responses[selected.statusCode + "\u{1F}" + (selected.selectionPattern ?? "")] else {
            return .answer(status: requested, headers: [], contentType: nil, body: [])
        }
        let status = Int(selected.statusCode) ?? requested
        let headers = IntegrationResponseSelection.headers(selected, backendHeaders: [:])
        guard let (type, template) = entry.templates.response(accept: accept) else {
            return .answer(status: status, headers: headers, contentType: nil, body: [])
        }
        var responseInput = input
        responseInput.body = ""
        do {
            let text = try template.render(responseInput)
            let bytes = PayloadConversion.response(Array(text.utf8), handling: ContentHandling(entry.response.contentHandling), binary: false)
            return .answer(status: status, headers: headers, contentType: type, body: bytes)
        } catch {
            return .failed("Unable to transform response: the \(selected.statusCode) response template for \(type): \(error)")
        }
    }
}
