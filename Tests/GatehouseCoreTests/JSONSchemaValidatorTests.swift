import Foundation
import GatehouseCore
import Testing

/// The draft 4 keywords AWS's request validation uses, each with a value that passes and one that does not.
@Suite struct JSONSchemaValidatorTests {
    static let cases: [(schema: String, valid: String, invalid: String)] = [
        (#"{"type": "string"}"#, #""a""#, "1"),
        (#"{"type": "integer"}"#, "3", "3.5"),
        (#"{"type": "number"}"#, "3.5", #""3""#),
        (#"{"type": "boolean"}"#, "true", "1"),
        (#"{"type": ["string", "null"]}"#, "null", "{}"),
        (#"{"enum": ["a", 1]}"#, "1", #""b""#),
        (#"{"minimum": 1, "exclusiveMinimum": true}"#, "1.5", "1"),
        (#"{"maximum": 10}"#, "10", "11"),
        (#"{"multipleOf": 0.5}"#, "2.5", "2.2"),
        (#"{"minLength": 2, "maxLength": 3}"#, #""ab""#, #""abcd""#),
        (#"{"pattern": "^[a-z]+$"}"#, #""abc""#, #""ab1""#),
        (#"{"items": {"type": "integer"}, "minItems": 1, "maxItems": 2}"#, "[1, 2]", #"[1, "x"]"#),
        (#"{"uniqueItems": true}"#, "[1, 2]", "[1, 1]"),
        (#"{"required": ["a"], "properties": {"a": {"type": "string"}}}"#, #"{"a": "x"}"#, #"{"b": "x"}"#),
        (#"{"properties": {"a": {}}, "additionalProperties": false}"#, #"{"a": 1}"#, #"{"a": 1, "b": 2}"#),
        (#"{"additionalProperties": {"type": "string"}}"#, #"{"x": "y"}"#, #"{"x": 1}"#),
        (#"{"minProperties": 1}"#, #"{"a": 1}"#, "{}"),
        (#"{"allOf": [{"type": "string"}, {"minLength": 2}]}"#, #""ab""#, #""a""#),
        (#"{"anyOf": [{"type": "string"}, {"type": "integer"}]}"#, "1", "true"),
        (#"{"oneOf": [{"type": "integer"}, {"minimum": 0}]}"#, "-1", "1"),
        (#"{"not": {"type": "string"}}"#, "1", #""a""#),
        (##"{"$ref": "#/components/schemas/Other"}"##, #""s""#, "5"),
    ]

    @Test func eachKeywordAcceptsAndRefuses() throws {
        for (index, testCase) in Self.cases.enumerated() {
            let validator = JSONSchemaValidator(models: ["M": testCase.schema, "Other": #"{"type": "string"}"#])
            let valid = try JSONSerialization.jsonObject(with: Data(testCase.valid.utf8), options: [.fragmentsAllowed])
            let invalid = try JSONSerialization.jsonObject(with: Data(testCase.invalid.utf8), options: [.fragmentsAllowed])
            #expect(validator.problem(with: valid, model: "M") == nil, "case \(index) \(testCase.schema): \(testCase.valid)")
            #expect(validator.problem(with: invalid, model: "M") != nil, "case \(index) \(testCase.schema): \(testCase.invalid)")
        }
    }

    @Test func theReasonSaysWhere() throws {
        let validator = JSONSchemaValidator(models: [
            "Order": ##"{"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/definitions/Item"}}}}"##,
            "Item": #"{"type": "object", "required": ["sku"], "properties": {"sku": {"type": "string"}}}"#,
        ])
        let value = try JSONSerialization.jsonObject(with: Data(#"{"items": [{"sku": "a"}, {"sku": 3}]}"#.utf8))
        #expect(validator.problem(with: value, model: "Order") == "$.items[1].sku: expected string, got integer")
        let cyclic = JSONSchemaValidator(models: ["A": ##"{"$ref": "#/components/schemas/A"}"##])
        #expect(cyclic.problem(with: 1, model: "A")?.contains("nests too deeply") == true)
    }
}
