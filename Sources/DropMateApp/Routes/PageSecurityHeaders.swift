import HTTPTypes
import Hummingbird

/// The browser-facing security headers, set in one place for every response so no page can forget them.
///
/// - Every response: `X-Content-Type-Options: nosniff` (a CSV or JSON body is never sniffed into a page) and
///   `Referrer-Policy: no-referrer` (signed links carry their signature in the query).
/// - HTML pages: the pages' `Content-Security-Policy` (no script, the one hashed stylesheet, `frame-ancestors
///   'none'`) and `X-Frame-Options: DENY`.
/// - Anything else a browser could render as a document (an SVG chart, a CSV opened in a tab): a sandboxed
///   policy that allows nothing, so even a hostile file could run no script at this origin.
struct PageSecurityHeaders<Context: RequestContext>: RouterMiddleware {
    static var documentPolicy: String { "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        Self.apply(to: &response.headers)
        return response
    }

    static func apply(to headers: inout HTTPFields) {
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "no-referrer"
        let type = headers[.contentType] ?? ""
        if type.hasPrefix("text/html") {
            // The console's pages bring their own policy (its scripts from this origin); every other page gets none.
            if headers[.contentSecurityPolicy] != ConsolePage.contentSecurityPolicy { headers[.contentSecurityPolicy] = HTML.contentSecurityPolicy }
            headers[.xFrameOptions] = "DENY"
        } else if type.hasPrefix("image/svg") || type.hasPrefix("text/") || type.hasPrefix("application/xml") {
            if headers[.contentSecurityPolicy] == nil { headers[.contentSecurityPolicy] = documentPolicy }
            headers[.xFrameOptions] = "DENY"
        }
    }
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
}
