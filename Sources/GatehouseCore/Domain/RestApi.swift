import Foundation

/// A REST API: the named collection of resources and methods that a stage serves.
/// Mirrors the `RestApi` shape of the AWS `apigateway` model.
public struct RestApi: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String?
    public var version: String?
    /// Where an API key is read from: `HEADER` (`x-api-key`) or `AUTHORIZER`.
    public var apiKeySource: ApiKeySource
    public var createdDate: Date
    /// The resource policy document (JSON, as AWS's `policy`), when the API has one.
    public var policy: String?
    /// AWS's `endpointConfiguration.types`: nil is REGIONAL. A PRIVATE API is served only on listeners started
    /// with `--private`; public listeners answer 403.
    public var endpointType: EndpointType?
    /// Customized gateway responses by response type (served from the next deploy, as AWS).
    public var gatewayResponses: [String: GatewayResponseSetting]?
    /// Request validators by name, and the one methods use unless they name another (AWS's default validator).
    public var requestValidators: [String: RequestValidator]?
    public var defaultRequestValidator: String?
    /// Models by name: each a JSON schema as text (AWS's `Model.schema`), its `$ref`s to other models written
    /// `#/components/schemas/NAME` whatever the document they came from.
    public var models: [String: String]?
    /// Its documentation parts (`x-amazon-apigateway-documentation`).
    public var documentation: ApiDocumentation?
    /// Content types treated as binary (`x-amazon-apigateway-binary-media-types`; `*/*` for all).
    public var binaryMediaTypes: [String]?
    /// Responses at least this many bytes long are compressed for clients that accept gzip or deflate
    /// (`x-amazon-apigateway-minimum-compression-size`, 0…10485760); nil: never.
    public var minimumCompressionSize: Int?
    /// The document's tags (name, description); those with `x-amazon-apigateway-tag-value` are also the API's
    /// AWS tags (`tags` in the model).
    public var tags: [ApiTag]?
    /// The base path the document declared (Swagger `basePath`, OAS `servers`), given back by an export that
    /// names no stage.
    public var basePath: String?

    /// AWS's `RestApi.tags`: the tags that carry a value.
    public var awsTags: [String: String] {
        Dictionary((tags ?? []).compactMap { tag in tag.value.map { (tag.name, $0) } }, uniquingKeysWith: { _, last in last })
    }

    public init(id: String, name: String, description: String? = nil, version: String? = nil,
                apiKeySource: ApiKeySource = .header, createdDate: Date = Date(), policy: String? = nil,
                endpointType: EndpointType? = nil) {
        self.policy = policy
        self.endpointType = endpointType
        self.id = id
        self.name = name
        self.description = description
        self.version = version
        self.apiKeySource = apiKeySource
        self.createdDate = createdDate
    }
}

/// A tag of the document (`tags:` at the top): its name, description and, with `x-amazon-apigateway-tag-value`,
/// the value that makes it one of the API's AWS tags.
public struct ApiTag: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    public var value: String?

    public init(name: String, description: String? = nil, value: String? = nil) {
        self.name = name
        self.description = description
        self.value = value
    }
}

/// Where an API is reachable from (AWS's endpoint types). EDGE and REGIONAL are the same here (no CDN in front);
/// PRIVATE is served only on the worker's private listeners.
public enum EndpointType: String, Codable, Sendable, CaseIterable {
    case regional = "REGIONAL"
    case edge = "EDGE"
    case `private` = "PRIVATE"
}

/// Where a method that requires an API key finds it, as `x-amazon-apigateway-api-key-source` says.
public enum ApiKeySource: String, Codable, Sendable, CaseIterable {
    case header = "HEADER"
    case authorizer = "AUTHORIZER"
}
