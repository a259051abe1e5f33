import GatehouseCore
import Testing

@Suite struct TokenBucketTests {
    @Test func burstThenSteadyRate() {
        var bucket = TokenBucket(limit: ThrottleLimit(rate: 10, burst: 5), now: 0)
        let firstBurst = (0..<8).filter { _ in bucket.take(now: 0) }.count
        #expect(firstBurst == 5)
        // 0.25 s later, 2.5 tokens have come back: two requests pass.
        let later = (0..<5).filter { _ in bucket.take(now: 0.25) }.count
        #expect(later == 2)
        // Refill never exceeds the burst.
        bucket.refill(now: 100)
        #expect(bucket.tokens == 5)
    }

    @Test func updateKeepsTokensClampedToNewBurst() {
        var bucket = TokenBucket(limit: ThrottleLimit(rate: 1, burst: 10), now: 0)
        for _ in 0..<4 { _ = bucket.take(now: 0) }
        bucket.update(limit: ThrottleLimit(rate: 1, burst: 100), now: 0)
        #expect(bucket.tokens == 6)
        bucket.update(limit: ThrottleLimit(rate: 1, burst: 2), now: 0)
        #expect(bucket.tokens == 2)
    }

    @Test func zeroBurstRejectsEverything() {
        var bucket = TokenBucket(limit: ThrottleLimit(rate: 0, burst: 0), now: 0)
        let first = bucket.take(now: 0)
        let muchLater = bucket.take(now: 1000)
        #expect(!first)
        #expect(!muchLater)
    }

    @Test func replayCountsRejections() {
        // 20 requests in one second through 5 rps / burst 5: 5 from the burst + ~5 refilled during the second.
        let rejected = TokenBucket.rejections(limit: ThrottleLimit(rate: 5, burst: 5), countsPerSecond: [20])
        #expect((9...11).contains(rejected))
        #expect(TokenBucket.rejections(limit: ThrottleLimit(rate: 100, burst: 100), countsPerSecond: [50, 50, 50]) == 0)
        #expect(TokenBucket.rejections(limit: ThrottleLimit(rate: 0, burst: 0), countsPerSecond: [3, 0, 4]) == 7)
    }
}

@Suite struct ThrottleResolverTests {
    let account = Account(throttle: ThrottleLimit(rate: 100, burst: 50))

    @Test func methodSettingBeatsStageDefaultAndAccountAlwaysApplies() {
        var stage = Stage(restApiId: "a1", stageName: "prod", deploymentId: "d1")
        #expect(ThrottleResolver.resolve(apiId: "a1", stage: stage, resourcePath: "/pets", methodVerb: "GET", account: account).map(\.scope)
                == [.account])
        stage.methodSettings["*/*"] = MethodSetting(throttlingRateLimit: 10, throttlingBurstLimit: 5)
        let stageLevel = ThrottleResolver.resolve(apiId: "a1", stage: stage, resourcePath: "/pets", methodVerb: "GET", account: account)
        #expect(stageLevel.map(\.scope) == [.stage, .account])
        stage.methodSettings["/pets/GET"] = MethodSetting(throttlingRateLimit: 1, throttlingBurstLimit: 1)
        let methodLevel = ThrottleResolver.resolve(apiId: "a1", stage: stage, resourcePath: "/pets", methodVerb: "GET", account: account)
        #expect(methodLevel.map(\.scope) == [.stageMethod, .account])
        #expect(methodLevel.first?.limit == ThrottleLimit(rate: 1, burst: 1))
        // Another method still gets the stage default, in a bucket of its own.
        let other = ThrottleResolver.resolve(apiId: "a1", stage: stage, resourcePath: "/pets", methodVerb: "POST", account: account)
        #expect(other.first?.scope == .stage)
        #expect(other.first?.bucketKey != stageLevel.first?.bucketKey)
    }
}
