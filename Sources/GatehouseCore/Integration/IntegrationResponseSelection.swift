import Foundation

/// Picks the integration response for a backend status (HTTP) or a mock's status, as API Gateway does:
/// the first selection pattern that matches the whole status text, else the default response.
public enum IntegrationResponseSelection {
    public static func select(_ responses: [String: IntegrationResponse], status: Int) -> IntegrationResponse? {
        let text = String(status)
        for key in responses.keys.sorted() {
            guard let response = responses[key], let pattern = response.selectionPattern else { continue }
            if let regex = try? NSRegularExpression(pattern: "^(?:\(pattern))$"),
               regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil {
                return response
            }
        }
        return responses.values.first { $0.selectionPattern == nil }
    }

    /// Static response headers: `method.response.header.X` → `'value'` (literal) or a backend header.
    public static func headers(_ response: IntegrationResponse, backendHeaders: [String: String]) -> [(name: String, value: String)] {
        response.responseParameters.keys.sorted().compactMap { key in
            guard key.hasPrefix("method.response.header."), let expression = response.responseParameters[key] else { return nil }
            let name = String(key.dropFirst("method.response.header.".count))
            if expression.hasPrefix("'") && expression.hasSuffix("'") && expression.count >= 2 {
                return (name, String(expression.dropFirst().dropLast()))
            }
            if expression.hasPrefix("integration.response.header.") {
                let source = String(expression.dropFirst("integration.response.header.".count)).lowercased()
                return backendHeaders[source].map { (name, $0) }
            }
            return nil
        }
    }
}

/// A MOCK integration's answer: status from the request template's `statusCode`, body from the selected
/// integration response's template (static text; no VTL is evaluated).
public enum MockIntegration {
    public static func answer(_ integration: Integration, accept: String?) -> (status: Int, contentType: String?, body: String,
                                                                              headers: [(name: String, value: String)]) {
        let template = integration.requestTemplates["application/json"] ?? integration.requestTemplates.values.first ?? ""
        var requested = 200
        if let regex = try? NSRegularExpression(pattern: "\"?statusCode\"?\\s*:\\s*\"?([0-9]{3})"),
           let match = regex.firstMatch(in: template, range: NSRange(template.startIndex..., in: template)),
           let range = Range(match.range(at: 1), in: template), let code = Int(template[range]) {
            requested = code
        }
        guard let response = IntegrationResponseSelection.select(integration.integrationResponses, status: requested) else {
            return (requested, nil, "", [])
        }
        let status = Int(response.statusCode) ?? requested
        let contentType: String?
        if let accept, response.responseTemplates[accept] != nil {
            contentType = accept
        } else if response.responseTemplates["application/json"] != nil {
            contentType = "application/json"
        } else {
            contentType = response.responseTemplates.keys.sorted().first
        }
        let body = contentType.flatMap { response.responseTemplates[$0] } ?? ""
        return (status, contentType, body, IntegrationResponseSelection.headers(response, backendHeaders: [:]))
    }
}
