import GatehouseCore
import NIOCore
import NIOHTTP1

/// A method whose answers the stage cache keeps: a fresh entry for the request's key answers without the
/// backend (a hit); otherwise the integration answers (a miss) and a 2xx answer up to 1 MiB is kept for the
/// method's TTL — a streamed one as it passes to the client. A caller's `Cache-Control: max-age=0` fetches
/// afresh, unless the stage requires authorization for it and the caller is neither a verified signer nor
/// presented an accepted key.
struct CacheStage: GatewayStage {
    let cache: StageCache
    let policy: CachePolicy

    func handle(_ request: GatewayRequest, context: RequestContext, next: GatewayNext) -> StageResult {
        let key = Self.key(request, context: context, parameters: policy.keyParameters)
        let now = Self.now()
        var bypass = false
        if let control = request.head.headers.first(name: "cache-control"), control.lowercased().contains("max-age=0") {
            // "Authorized": a verified SigV4 signer (AWS's IAM permission to invalidate) or a caller the key stage
            // accepted (authorizers will count too).
            if !policy.requireAuthorizationForCacheControl || context.callerAccessKey != nil || context.apiKeyId != nil {
                bypass = true
                cache.invalidate(key)
            } else {
                context.cacheInvalidationRefused = true
            }
        }
        if !bypass, let entry = cache.get(key, now: now) {
            context.cacheResult = .hit
            var headers = entry.headers
            if context.cacheInvalidationRefused { headers.add(name: "x-gatehouse-cache", value: "invalidation not authorized; served from cache") }
            return .response(GatewayResponse(status: entry.status, headers: headers, body: .buffer(entry.body)))
        }
        context.cacheResult = .miss
        let expires = now + Double(policy.ttlSeconds)
        switch next(request, context) {
        case .response(let response):
            return .response(keep(response, key: key, expires: expires))
        case .pending(let pending):
            let outer = PendingResponse()
            pending.whenComplete { response in outer.complete(keep(response, key: key, expires: expires)) }
            return .pending(outer)
        }
    }

    /// Keeps a cacheable answer (a 2xx within the size limit): a buffered one at once, a streamed one when its
    /// last byte has passed.
    private func keep(_ response: GatewayResponse, key: String, expires: Double) -> GatewayResponse {
        guard (200..<300).contains(response.status.code) else { return response }
        switch response.body {
        case .buffer(let body):
            if body.readableBytes <= CachePolicy.maxEntryBytes {
                cache.put(key, StageCache.Entry(status: response.status, headers: response.headers, body: body, expires: expires))
            }
            return response
        case .stream(let source, let length):
            if let length, length > CachePolicy.maxEntryBytes { return response }
            let tee = TeeSource(source: source) { [cache] body in
                cache.put(key, StageCache.Entry(status: response.status, headers: response.headers, body: body, expires: expires))
            }
            var teed = response
            teed.body = .stream(tee, expectedLength: length)
            return teed
        }
    }

    /// The method, the path in the stage, and each cache key parameter's value.
    static func key(_ request: GatewayRequest, context: RequestContext, parameters: [String]) -> String {
        var key = request.head.method.rawValue + " " + (context.stagePath ?? request.path)
        guard !parameters.isEmpty else { return key }
        let query = request.queryParameters
        for parameter in parameters {
            let value: String?
            if parameter.hasPrefix("method.request.querystring.") {
                value = query[String(parameter.dropFirst("method.request.querystring.".count))]
            } else if parameter.hasPrefix("method.request.header.") {
                value = request.head.headers[canonicalForm: String(parameter.dropFirst("method.request.header.".count))].joined(separator: ",")
            } else {
                value = context.match?.pathParameters[String(parameter.dropFirst("method.request.path.".count))]
            }
            key += "\u{1F}" + parameter + "=" + (value ?? "\u{0}")
        }
        return key
    }

    static func now() -> Double { Double(NIODeadline.now().uptimeNanoseconds) / 1_000_000_000 }
}

/// Passes a streamed body to the client unchanged and keeps a copy; when it ends whole and within the cache's
/// entry limit, hands the copy over. Confined to the connection's event loop, as its source and sink are.
final class TeeSource: ResponseBodySource, ResponseBodySink {
    /// Let go once the body is over: the source holds this tee as its sink, and the pair must not outlive the call.
    private var source: (any ResponseBodySource)?
    private let done: (ByteBuffer) -> Void
    private weak var sink: (any ResponseBodySink)?
    private var copy: ByteBuffer?

    init(source: any ResponseBodySource, done: @escaping (ByteBuffer) -> Void) {
        self.source = source
        self.done = done
    }

    func start(_ sink: any ResponseBodySink) {
        self.sink = sink
        copy = ByteBuffer()
        source?.start(self)
    }

    func pause() { source?.pause() }
    func resume() { source?.resume() }
    func cancel() {
        copy = nil
        source?.cancel()
        source = nil
    }

    func responseBodyChunk(_ chunk: ByteBuffer) {
        if copy != nil {
            if (copy?.readableBytes ?? 0) + chunk.readableBytes > CachePolicy.maxEntryBytes {
                copy = nil
            } else {
                var piece = chunk
                copy?.writeBuffer(&piece)
            }
        }
        sink?.responseBodyChunk(chunk)
    }

    func responseBodyFlush() { sink?.responseBodyFlush() }

    func responseBodyEnd() {
        if let copy { done(copy) }
        copy = nil
        source = nil
        sink?.responseBodyEnd()
    }

    func responseBodyFailed(_ error: any Error) {
        copy = nil
        source = nil
        sink?.responseBodyFailed(error)
    }
}
