/// Who this gateway is in AWS's terms, for SigV4: the region signatures are scoped to and the account in
/// resource and user ARNs. Self-hosted, so both are settings (`serve --region`, `--account-id`).
public struct SigningIdentity: Sendable, Equatable {
    public var region: String
    public var account: String

    public init(region: String = "us-east-1", account: String = "000000000000") {
        self.region = region
        self.account = account
    }
}
