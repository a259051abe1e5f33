import Foundation

/// AWS's `contentHandling`: how a payload crosses between text and binary on its way to or from the backend.
public enum ContentHandling: String, Sendable {
    /// A binary payload becomes its base64 text.
    case convertToText = "CONVERT_TO_TEXT"
    /// A text payload (base64) becomes the bytes it stands for.
    case convertToBinary = "CONVERT_TO_BINARY"

    public init?(_ text: String?) {
        guard let text, let value = ContentHandling(rawValue: text.uppercased()) else { return nil }
        self = value
    }
}

/// An API's binary media types (`x-amazon-apigateway-binary-media-types`): exact types, `type/*` and `*/*`.
public struct BinaryMediaTypes: Sendable {
    let types: [String]

    public init(_ types: [String]?) {
        self.types = (types ?? []).map { $0.lowercased() }
    }

    public var isEmpty: Bool { types.isEmpty }

    /// Whether a payload of `contentType` is binary for this API.
    public func contains(_ contentType: String?) -> Bool {
        guard !types.isEmpty, let contentType else { return false }
        let type = CompiledTemplates.mediaType(contentType)
        let family = type.split(separator: "/").first.map(String.init) ?? type
        return types.contains { $0 == "*/*" || $0 == type || $0 == family + "/*" }
    }
}

/// The conversions of AWS's content-type conversion tables, for an integration's request and its responses.
public enum PayloadConversion {
    /// Why a payload could not be converted.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The request payload as the integration receives it: a binary one as base64 text with CONVERT_TO_TEXT (or
    /// when a mapping template will read it), a text one decoded from base64 with CONVERT_TO_BINARY.
    public static func request(_ bytes: [UInt8], handling: ContentHandling?, binary: Bool, templated: Bool) throws(Failure) -> [UInt8] {
        if binary, handling == .convertToText || (handling == nil && templated) {
            return Array(Data(bytes).base64EncodedString().utf8)
        }
        if !binary, handling == .convertToBinary {
            guard let decoded = Data(base64Encoded: String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw Failure(description: "the body is not base64, and the integration converts it to binary (CONVERT_TO_BINARY)")
            }
            return Array(decoded)
        }
        return bytes
    }

    /// Whether a request payload must be read whole to be converted.
    public static func convertsRequest(handling: ContentHandling?, binary: Bool) -> Bool {
        binary ? handling == .convertToText : handling == .convertToBinary
    }

    /// The backend's payload as the method answers it: a binary one as base64 text with CONVERT_TO_TEXT, a text
    /// one as the bytes its base64 stands for with CONVERT_TO_BINARY (text that is not base64 is kept as it is).
    public static func response(_ bytes: [UInt8], handling: ContentHandling?, binary: Bool) -> [UInt8] {
        if binary, handling == .convertToText { return Array(Data(bytes).base64EncodedString().utf8) }
        if !binary, handling == .convertToBinary,
           let decoded = Data(base64Encoded: String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) {
            return Array(decoded)
        }
        return bytes
    }
}
