import DropMateTelemetry
import Foundation
import Hummingbird
import Logging
import Tracing

/// Times every request into `dropmate_http_request_duration_seconds` by matched route template ("/wechat",
/// "/confirm/:id"; "unmatched" when no route matched, never the raw path) and logs one line per request (not for
/// probes and scrapes; webhook lines at debug). When tracing is on, `/wechat` and `/api` requests run in a server span whose parent is the
/// caller's `traceparent`, if any, and their log line carries its `trace_id`.
struct HTTPTelemetryMiddleware<Context: RequestContext>: RouterMiddleware {
    let telemetry: Telemetry

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        guard let tracer = telemetry.tracer, Self.isTraced(request.uri.path) else {
            return try await handled(request, context: context, since: start, span: nil, next: next)
        }
        var parent = ServiceContext.current ?? .topLevel
        tracer.extract(request.headers, into: &parent, using: HTTPFieldsExtractor())
        let span = tracer.startSpan("\(request.method.rawValue) \(request.uri.path)", context: parent, ofKind: .server)
        defer { span.end() }
        return try await ServiceContext.$current.withValue(span.context) {
            try await handled(request, context: context, since: start, span: span, next: next)
        }
    }

    private func handled(
        _ request: Request, context: Context, since start: UInt64, span: (any Span)?,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            let response = try await next(request, context)
            finish(request, context: context, status: response.status.code, since: start, span: span)
            return response
        } catch {
            span?.recordMaskedError(error, failed: false)  // status: set from the HTTP status in `finish`
            finish(request, context: context, status: Self.status(of: error), since: start, span: span)
            throw error
        }
    }

    private func finish(_ request: Request, context: Context, status: Int, since start: UInt64, span: (any Span)?) {
        let route = Self.route(context)
        let nanoseconds = Int64(DispatchTime.now().uptimeNanoseconds - start)
        telemetry.metrics.httpRequest(
            route: route, method: request.method.rawValue, status: status, nanoseconds: nanoseconds)
        if let span {
            span.operationName = route == "/wechat" ? "webhook" : "\(request.method.rawValue) \(route)"
            var attributes = span.attributes
            attributes["http.request.method"] = request.method.rawValue
            attributes["http.route"] = route
            attributes["http.response.status_code"] = status
            span.attributes = attributes
            if status >= 500 { span.setStatus(SpanStatus(code: .error)) }
        }
        guard !Self.isQuiet(route) else { return }
        // The webhook carries thousands of messages a second: its lines are debug (its outcomes are in the metrics),
        // every other request's are info; a server error is always an error.
        let level: Logger.Level = status >= 500 ? .error : route == "/wechat" ? .debug : .info
        guard context.logger.logLevel <= level else { return }
        context.logger.log(
            level: level, "request handled",
            metadata: [
                "dropmate.method": "\(request.method.rawValue)", "dropmate.route": "\(route)",
                "dropmate.status": "\(status)",
                "dropmate.duration_ms": "\(Double(nanoseconds / 1000) / 1000)",
            ])
    }

    /// The matched route's template; "unmatched" when none matched (Hummingbird then says "NotFound").
    static func route(_ context: Context) -> String {
        guard let path = context.endpointPath, path != "NotFound" else { return "unmatched" }
        return path
    }

    static func status(of error: any Error) -> Int {
        (error as? any HTTPResponseError)?.status.code ?? 500
    }

    /// The webhook and the REST API; not probes, scrapes or pages.
    static func isTraced(_ path: String) -> Bool {
        path == "/wechat" || path.hasPrefix("/wechat/") || path == "/api" || path.hasPrefix("/api/")
    }

    /// Probes and scrapes arrive every few seconds: they are measured but not logged.
    static func isQuiet(_ route: String) -> Bool {
        route == "/metrics" || route == "/healthz" || route == "/readyz"
    }
}

/// Reads `traceparent` from an incoming request's headers.
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from carrier: HTTPFields) -> String? {
        carrier.first { $0.name.canonicalName == key }?.value
    }
}
