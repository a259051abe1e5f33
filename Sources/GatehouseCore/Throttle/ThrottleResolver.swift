/// Decides which limits apply to a request, most specific first: plan per method, plan (later issues),
/// the stage's per-method setting or else the stage default, then the account. Every returned bucket
/// must have a token for the request to pass.
public enum ThrottleResolver {
    /// The limits for `httpMethod` on `resourcePath` in `stage`. `methodVerb` is the verb the method is
    /// declared with (`ANY` included), so a setting on `/pets/ANY` applies to every verb routed there.
    public static func resolve(apiId: String, stage: Stage, resourcePath: String, methodVerb: String,
                               account: Account) -> [AppliedThrottle] {
        var result: [AppliedThrottle] = []
        let methodKey = Stage.methodSettingsKey(resourcePath: resourcePath, httpMethod: methodVerb)
        if let limit = stage.methodSettings[methodKey]?.throttle {
            result.append(AppliedThrottle(scope: .stageMethod,
                                          bucketKey: "stage-method:\(apiId)/\(stage.stageName)/\(methodKey)",
                                          limit: limit))
        } else if let limit = stage.methodSettings[Stage.defaultSettingsKey]?.throttle {
            // AWS applies the stage default per method: each method gets its own bucket of that size.
            result.append(AppliedThrottle(scope: .stage,
                                          bucketKey: "stage:\(apiId)/\(stage.stageName)/\(methodKey)",
                                          limit: limit))
        }
        result.append(AppliedThrottle(scope: .account, bucketKey: "account", limit: account.throttle))
        return result
    }

    /// The single limit that is most specific (the one an operator edits), with its scope.
    public static func effective(apiId: String, stage: Stage, resourcePath: String, methodVerb: String,
                                 account: Account) -> AppliedThrottle {
        let all = resolve(apiId: apiId, stage: stage, resourcePath: resourcePath, methodVerb: methodVerb, account: account)
        return all.first ?? AppliedThrottle(scope: .account, bucketKey: "account", limit: account.throttle)
    }
}
