import Foundation
import GatehouseCore

/// The API keys one stage admits, by the SHA-256 of their value: each enabled key on a usage plan that covers
/// the stage, with its plan's buckets and its meter. Built once per configuration version and shared by the
/// stage's methods; a lookup hashes the presented value and finds the digest, so no comparison walks the secret.
final class StageKeys: Sendable {
    /// What a key may do on this stage.
    struct Grant: Sendable {
        let keyId: String
        let planId: String
        /// The plan's per-key bucket (shared by every stage of the plan).
        let keyBucket: SharedTokenBucket?
        /// The plan's per-key buckets for single methods of this stage, by method settings key (`/pets/GET`).
        let methodBuckets: [String: SharedTokenBucket]
        let meter: KeyMeter
    }

    let grants: [Data: Grant]

    init(stage: Stage, configuration: GatewayConfiguration, throttles: ThrottleRegistry, meters: UsageMeters) {
        let keys = Dictionary(configuration.apiKeys.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var grants: [Data: Grant] = [:]
        for plan in configuration.usagePlans {
            guard let planStage = plan.stage(apiId: stage.restApiId, stageName: stage.stageName) else { continue }
            for keyId in configuration.planKeys[plan.id] ?? [] {
                guard let key = keys[keyId], key.enabled else { continue }
                var applied: [AppliedThrottle] = []
                if let limit = plan.throttle {
                    applied.append(AppliedThrottle(scope: .plan, bucketKey: "plan:\(plan.id)/key:\(keyId)", limit: limit))
                }
                let methodKeys = planStage.throttle.keys.sorted()
                for methodKey in methodKeys {
                    guard let limit = planStage.throttle[methodKey] else { continue }
                    applied.append(AppliedThrottle(scope: .planMethod,
                                                   bucketKey: "plan:\(plan.id)/key:\(keyId)/\(stage.restApiId)/\(stage.stageName)\(methodKey)",
                                                   limit: limit))
                }
                var buckets = throttles.buckets(for: applied)
                let keyBucket = plan.throttle == nil ? nil : buckets.removeFirst()
                grants[key.valueHash] = Grant(keyId: keyId, planId: plan.id, keyBucket: keyBucket,
                                              methodBuckets: Dictionary(uniqueKeysWithValues: zip(methodKeys, buckets)),
                                              meter: meters.meter(plan: plan, keyId: keyId))
            }
        }
        self.grants = grants
    }
}
