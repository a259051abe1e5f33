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

/// Integration responses with their selection already made for every status code, so a call looks its
/// response up instead of running regular expressions. Built once per configuration.
public struct CompiledResponseSelection: Sendable {
    private let byStatus: [Int: IntegrationResponse]
    private let fallback: IntegrationResponse?
    public let isEmpty: Bool

    public init(_ responses: [String: IntegrationResponse]) {
        isEmpty = responses.isEmpty
        fallback = responses.values.first { $0.selectionPattern == nil }
        var byStatus: [Int: IntegrationResponse] = [:]
        if responses.values.contains(where: { $0.selectionPattern != nil }) {
            for status in 100...599 {
                if let selected = IntegrationResponseSelection.select(responses, status: status) { byStatus[status] = selected }
            }
        }
        self.byStatus = byStatus
    }

    public func select(status: Int) -> IntegrationResponse? { byStatus[status] ?? fallback }
}

/// A MOCK integration's answer worked out once per configuration: status, headers and the body for each
/// content type; a call only picks the content type its `Accept` asks for.
public struct CompiledMock: Sendable {
    public let status: Int
    public let headers: [(name: String, value: String)]
    private let templates: [String: String]
    private let defaultContentType: String?
    /// The selected response converts its templates from base64 to bytes (contentHandling CONVERT_TO_BINARY).
    public let convertsToBinary: Bool

    public init(_ integration: Integration) {
        let template = integration.requestTemplates["application/json"] ?? integration.requestTemplates.values.first ?? ""
        let requested = Self.statusCode(in: template)
        guard let response = IntegrationResponseSelection.select(integration.integrationResponses, status: requested) else {
            status = requested
            headers = []
            templates = [:]
            defaultContentType = nil
            convertsToBinary = false
            return
        }
        convertsToBinary = response.contentHandling == "CONVERT_TO_BINARY"
        status = Int(response.statusCode) ?? requested
        headers = IntegrationResponseSelection.headers(response, backendHeaders: [:])
        templates = response.responseTemplates
        defaultContentType = response.responseTemplates["application/json"] != nil ? "application/json"
            : response.responseTemplates.keys.sorted().first
    }

    /// The `statusCode` a mock's request template asks for (`{"statusCode": 404}`, quoted or not); 200 when none.
    public static func statusCode(in text: String) -> Int {
        let bytes = Array(text.utf8), name = Array("statusCode".utf8)
        var i = 0
        while i + name.count <= bytes.count {
            if Array(bytes[i..<i + name.count]) == name {
                var j = i + name.count
                func skip(_ allowed: Set<UInt8>) { while j < bytes.count, allowed.contains(bytes[j]) { j += 1 } }
                skip([UInt8(ascii: "\""), 0x20, 0x09, 0x0A, 0x0D])
                if j < bytes.count, bytes[j] == UInt8(ascii: ":") {
                    j += 1
                    skip([UInt8(ascii: "\""), 0x20, 0x09, 0x0A, 0x0D])
                    let start = j
                    while j < bytes.count, j - start < 3, bytes[j] >= 0x30, bytes[j] <= 0x39 { j += 1 }
                    if j - start == 3, let code = Int(String(decoding: bytes[start..<j], as: UTF8.self)) { return code }
                }
            }
            i += 1
        }
        return 200
    }

    /// Whether the mock must be worked out per call: a template reads the request, or the passthrough behavior
    /// may refuse a content type.
    public static func isTemplated(_ integration: Integration) -> Bool {
        if PassthroughBehavior(integration.passthroughBehavior) != .whenNoMatch { return true }
        let templates = Array(integration.requestTemplates.values) + integration.integrationResponses.values.flatMap { $0.responseTemplates.values }
        return templates.contains { $0.contains("$") || $0.contains("#") }
    }

    /// The content types the selected response has templates for.
    public var contentTypes: [String] { templates.keys.sorted() }

    /// The content type and body for a request's `Accept`.
    public func answer(accept: String?) -> (contentType: String?, body: String) {
        let contentType = accept.flatMap { templates[$0] != nil ? $0 : nil } ?? defaultContentType
        return (contentType, contentType.flatMap { templates[$0] } ?? "")
    }

    /// The body's bytes: the template's text, or with CONVERT_TO_BINARY the bytes its base64 stands for (text
    /// that is not base64 is kept as text, as AWS passes it through).
    public func bytes(of body: String) -> [UInt8] {
        PayloadConversion.response(Array(body.utf8), handling: convertsToBinary ? .convertToBinary : nil, binary: false)
    }
}
