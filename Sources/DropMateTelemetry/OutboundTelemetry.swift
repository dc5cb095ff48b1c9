import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Tracing

extension Telemetry {
    /// Runs an outbound call in a client span named `name` ("wechat message/custom/send", "sms tencent", "maps amap")
    /// and writes the span's W3C `traceparent` into `request`. With tracing off, runs `call` with the request unchanged.
    package func outbound<T>(
        _ name: @autoclosure () -> String, _ request: HTTPClientRequest,
        _ call: (HTTPClientRequest) async throws -> T
    ) async throws -> T {
        guard let tracer else { return try await call(request) }
        let span = tracer.startSpan(name(), context: ServiceContext.current ?? .topLevel, ofKind: .client)
        defer { span.end() }
        var attributes = SpanAttributes()
        attributes["http.request.method"] = request.method.rawValue
        // never the query: it may carry a token
        if let host = URL(string: request.url)?.host { attributes["server.address"] = host }
        span.attributes = attributes
        var request = request
        tracer.inject(span.context, into: &request.headers, using: HTTPHeadersInjector())
        do {
            return try await ServiceContext.$current.withValue(span.context) { try await call(request) }
        } catch {
            span.recordMaskedError(error)
            throw error
        }
    }
}

/// Writes `traceparent` into an outbound request's headers.
struct HTTPHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout HTTPHeaders) {
        carrier.replaceOrAdd(name: key, value: value)
    }
}
