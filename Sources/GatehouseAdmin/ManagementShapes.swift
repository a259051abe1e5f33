import Foundation
import GatehouseCore

/// Gatehouse's domain values in the member names of the `apigateway` model, so botocore reads them back as
/// AWS's own (`RestApi`, `Resource`, `Method`, `Integration`, `Deployment`, `Stage`, `ApiKey`, `UsagePlan`).
enum ManagementShapes {
    /// An object's members, nil ones left out.
    static func object(_ fields: [(String, DocValue?)]) -> DocValue {
        .object(fields.compactMap { name, value in value.map { (name, $0) } })
    }

    static func strings(_ map: [String: String]) -> DocValue { .object(map.keys.sorted().map { ($0, .string(map[$0] ?? "")) }) }
    static func flags(_ map: [String: Bool]) -> DocValue { .object(map.keys.sorted().map { ($0, .bool(map[$0] ?? false)) }) }
    static func list(_ values: [String]) -> DocValue { .array(values.map(DocValue.string)) }
    static func date(_ date: Date) -> DocValue { .int(Int(date.timeIntervalSince1970)) }

    static func restApi(_ api: RestApi) -> DocValue {
        object([
            ("id", .string(api.id)), ("name", .string(api.name)), ("description", api.description.map(DocValue.string)),
            ("createdDate", date(api.createdDate)), ("version", api.version.map(DocValue.string)),
            ("binaryMediaTypes", api.binaryMediaTypes.map(list)), ("minimumCompressionSize", api.minimumCompressionSize.map(DocValue.int)),
            ("apiKeySource", .string(api.apiKeySource.rawValue)),
            ("endpointConfiguration", object([("types", list([(api.endpointType ?? .regional).rawValue]))])),
            ("policy", api.policy.map(DocValue.string)), ("tags", api.awsTags.isEmpty ? nil : strings(api.awsTags)),
            ("disableExecuteApiEndpoint", .bool(false)),
        ])
    }

    static func resource(_ resource: Resource, embedMethods: Bool) -> DocValue {
        var methods: DocValue?
        if !resource.resourceMethods.isEmpty {
            methods = .object(resource.resourceMethods.keys.sorted().map { verb in
                (verb, embedMethods ? method(resource.resourceMethods[verb] ?? Method(httpMethod: verb)) : .object([]))
            })
        }
        return object([
            ("id", .string(resource.id)), ("parentId", resource.parentId.map(DocValue.string)),
            ("pathPart", resource.parentId == nil ? nil : .string(resource.pathPart)), ("path", .string(resource.path)),
            ("resourceMethods", methods),
        ])
    }

    static func method(_ method: Method) -> DocValue {
        object([
            ("httpMethod", .string(method.httpMethod)), ("authorizationType", .string(method.authorizationType)),
            ("authorizerId", method.authorizerId.map(DocValue.string)), ("apiKeyRequired", .bool(method.apiKeyRequired)),
            ("requestValidatorId", method.requestValidatorName.map(DocValue.string)),
            ("operationName", method.operationName.map(DocValue.string)),
            ("requestParameters", method.requestParameters.isEmpty ? nil : flags(method.requestParameters)),
            ("requestModels", method.requestModels.map(strings)),
            ("methodResponses", method.methodResponses.map { responses in
                .object(responses.keys.sorted().map { ($0, methodResponse(responses[$0] ?? MethodResponse(statusCode: $0))) })
            }),
            ("methodIntegration", method.methodIntegration.map(integration)),
            ("authorizationScopes", method.authorizationScopes.map(list)),
        ])
    }

    static func methodResponse(_ response: MethodResponse) -> DocValue {
        object([
            ("statusCode", .string(response.statusCode)),
            ("responseParameters", response.responseParameters.isEmpty ? nil : flags(response.responseParameters)),
            ("responseModels", response.responseModels.isEmpty ? nil : strings(response.responseModels)),
        ])
    }

    static func integration(_ integration: Integration) -> DocValue {
        object([
            ("type", .string(integration.type.rawValue)), ("httpMethod", integration.httpMethod.map(DocValue.string)),
            ("uri", integration.uri.map(DocValue.string)),
            ("requestParameters", integration.requestParameters.isEmpty ? nil : strings(integration.requestParameters)),
            ("requestTemplates", integration.requestTemplates.isEmpty ? nil : strings(integration.requestTemplates)),
            ("passthroughBehavior", .string(PassthroughBehavior(integration.passthroughBehavior).rawValue)),
            ("contentHandling", integration.contentHandling.map(DocValue.string)),
            ("timeoutInMillis", .int(integration.timeoutInMillis)),
            ("cacheNamespace", nil),
            ("cacheKeyParameters", list(integration.cacheKeyParameters ?? [])),
            ("integrationResponses", integration.integrationResponses.isEmpty ? nil : .object(integration.integrationResponses.values
                .sorted { $0.statusCode < $1.statusCode }.map { ($0.statusCode, integrationResponse($0)) })),
            ("tlsConfig", integration.insecureSkipVerification.map { object([("insecureSkipVerification", .bool($0))]) }),
        ])
    }

    static func integrationResponse(_ response: IntegrationResponse) -> DocValue {
        object([
            ("statusCode", .string(response.statusCode)), ("selectionPattern", response.selectionPattern.map(DocValue.string)),
            ("responseParameters", response.responseParameters.isEmpty ? nil : strings(response.responseParameters)),
            ("responseTemplates", response.responseTemplates.isEmpty ? nil : strings(response.responseTemplates)),
            ("contentHandling", response.contentHandling.map(DocValue.string)),
        ])
    }

    static func deployment(_ deployment: Deployment) -> DocValue {
        object([("id", .string(deployment.id)), ("description", deployment.description.map(DocValue.string)),
                ("createdDate", date(deployment.createdDate))])
    }

    /// A stage cache size in AWS's gigabyte steps (`0.5`, `1.6`, …) from the megabytes kept here.
    static func cacheSize(_ megabytes: Double) -> String {
        let gigabytes = megabytes / 1024
        return gigabytes == gigabytes.rounded() ? String(format: "%.1f", gigabytes) : String(gigabytes)
    }

    static func stage(_ stage: Stage) -> DocValue {
        let settings: [(String, DocValue)] = stage.methodSettings.keys.sorted().compactMap { key in
            guard let setting = stage.methodSettings[key] else { return nil }
            return (key.hasPrefix("/") ? String(key.dropFirst()) : key, object([
                ("metricsEnabled", .bool(false)), ("loggingLevel", .string(setting.loggingLevel?.rawValue ?? "OFF")),
                ("dataTraceEnabled", .bool(setting.dataTraceEnabled ?? false)),
                ("throttlingBurstLimit", setting.throttlingBurstLimit.map(DocValue.int)),
                ("throttlingRateLimit", setting.throttlingRateLimit.map(DocValue.double)),
                ("cachingEnabled", .bool(setting.cachingEnabled ?? false)),
                ("cacheTtlInSeconds", setting.cacheTtlInSeconds.map(DocValue.int)),
                ("cacheDataEncrypted", .bool(false)),
                ("requireAuthorizationForCacheControl", setting.requireAuthorizationForCacheControl.map(DocValue.bool)),
                ("unauthorizedCacheControlHeaderStrategy", .string("SUCCEED_WITH_RESPONSE_HEADER")),
            ]))
        }
        let cacheOn = stage.cache?.enabled == true
        return object([
            ("deploymentId", .string(stage.deploymentId)), ("clientCertificateId", stage.clientCertificateId.map(DocValue.string)),
            ("stageName", .string(stage.stageName)), ("description", stage.description.map(DocValue.string)),
            ("cacheClusterEnabled", .bool(cacheOn)),
            ("cacheClusterSize", stage.cache.map { .string(cacheSize($0.sizeMb)) }),
            ("cacheClusterStatus", .string(cacheOn ? "AVAILABLE" : "NOT_AVAILABLE")),
            ("methodSettings", .object(settings)),
            ("variables", stage.variables.isEmpty ? nil : strings(stage.variables)),
            ("accessLogSettings", stage.accessLogSettings.map { object([("format", .string($0.format)), ("destinationArn", $0.file.map(DocValue.string))]) }),
            ("tracingEnabled", .bool(false)),
            ("createdDate", date(stage.createdDate)), ("lastUpdatedDate", date(stage.lastUpdatedDate)),
        ])
    }

    static func apiKey(_ key: ApiKey, includeValue: Bool, planIds: [String] = []) -> DocValue {
        object([
            ("id", .string(key.id)), ("value", includeValue ? key.value.map(DocValue.string) : nil), ("name", .string(key.name)),
            ("customerId", key.customerId.map(DocValue.string)), ("description", key.description.isEmpty ? nil : .string(key.description)),
            ("enabled", .bool(key.enabled)), ("createdDate", date(key.created)), ("lastUpdatedDate", date(key.lastUpdated)),
            ("stageKeys", list([])),
        ])
    }

    static func usagePlan(_ plan: UsagePlan) -> DocValue {
        object([
            ("id", .string(plan.id)), ("name", .string(plan.name)), ("description", plan.description.isEmpty ? nil : .string(plan.description)),
            ("apiStages", .array(plan.apiStages.map { stage in
                object([("apiId", .string(stage.apiId)), ("stage", .string(stage.stage)),
                        ("throttle", stage.throttle.isEmpty ? nil : .object(stage.throttle.keys.sorted().map { key in
                            (key.hasPrefix("/") ? String(key.dropFirst()) : key, throttle(stage.throttle[key]))
                        }))])
            })),
            ("throttle", plan.throttle.map(throttle)),
            ("quota", plan.quota.map { quota in
                object([("limit", .int(quota.limit)), ("offset", .int(quota.offset)), ("period", .string(quota.period.rawValue))])
            }),
        ])
    }

    static func throttle(_ limit: ThrottleLimit?) -> DocValue {
        guard let limit else { return .object([]) }
        return object([("burstLimit", .int(limit.burst)), ("rateLimit", .double(limit.rate))])
    }
}
