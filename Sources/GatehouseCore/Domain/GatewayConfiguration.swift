import Foundation

/// Everything a worker serves, read from the store in one transaction: each stage with the deployment
/// it points at, and the account limit. Immutable; the worker swaps in a new one when the store changes.
public struct GatewayConfiguration: Sendable {
    /// One callable stage and the frozen API it serves.
    public struct StageBinding: Sendable {
        public var stage: Stage
        public var definition: ApiDefinition

        public init(stage: Stage, definition: ApiDefinition) {
            self.stage = stage
            self.definition = definition
        }
    }

    /// An API key as the worker needs it: the SHA-256 of its value, never the value.
    public struct ServedKey: Sendable, Equatable {
        public var id: String
        public var valueHash: Data
        public var enabled: Bool

        public init(id: String, valueHash: Data, enabled: Bool) {
            self.id = id
            self.valueHash = valueHash
            self.enabled = enabled
        }
    }

    /// A credential as the worker needs it to verify signatures: its secret (opened with the store's key
    /// file) and what it may invoke. Revoked credentials are not served.
    public struct ServedCredential: Sendable, Equatable {
        public var accessKeyId: String
        public var name: String
        public var secret: String
        public var allow: [String]

        public init(accessKeyId: String, name: String, secret: String, allow: [String]) {
            self.accessKeyId = accessKeyId
            self.name = name
            self.secret = secret
            self.allow = allow
        }
    }

    public var version: Int64
    public var account: Account
    public var stages: [StageBinding]
    public var apiKeys: [ServedKey]
    public var usagePlans: [UsagePlan]
    /// Plan id → the ids of the keys on it.
    public var planKeys: [String: [String]]
    /// The credentials that may sign calls (AWS_IAM methods), by access key id.
    public var credentials: [String: ServedCredential]
    /// Why the credentials could not be read (the key file is missing or wrong), if so: signed calls are
    /// then refused, never let through.
    public var credentialsProblem: String?
    /// Custom domain names (certificates for the TLS listeners) and their base path mappings.
    public var domains: [DomainName] = []
    public var basePathMappings: [BasePathMapping] = []
    /// Backend client certificates with their keys opened, by id; why they could not be opened, if so (a stage
    /// that names one then answers 500 rather than call its backend without it).
    public var clientCertificates: [String: ServedClientCertificate] = [:]
    public var clientCertificatesProblem: String?

    public init(version: Int64, account: Account, stages: [StageBinding], apiKeys: [ServedKey] = [], usagePlans: [UsagePlan] = [],
                planKeys: [String: [String]] = [:], credentials: [String: ServedCredential] = [:], credentialsProblem: String? = nil) {
        self.credentials = credentials
        self.credentialsProblem = credentialsProblem
        self.version = version
        self.account = account
        self.stages = stages
        self.apiKeys = apiKeys
        self.usagePlans = usagePlans
        self.planKeys = planKeys
    }
}
