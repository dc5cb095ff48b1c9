import HTTPTypes
import Hummingbird

/// The browser-facing security headers, set in one place for every response so no page can forget them.
///
/// - Every response: `X-Content-Type-Options: nosniff` (a CSV or JSON body is never sniffed into a page) and
///   `Referrer-Policy: no-referrer` (signed links carry their signature in the query).
/// - HTML pages: the pages' `Content-Security-Policy` (no script, the one hashed stylesheet, `frame-ancestors
///   'none'`) and `X-Frame-Options: DENY`. The pay page and the console, which run their own scripts from this
///   origin, set their known policies themselves; any other policy a page sets is replaced.
/// - Anything else a browser could render as a document (an SVG chart, a CSV opened in a tab): a sandboxed
///   policy that allows nothing, so even a hostile file could run no script at this origin.
struct PageSecurityHeaders<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        Self.apply(to: &response.headers)
        return response
    }

    static func apply(to headers: inout HTTPFields) {
        // One pass over what the route set, then prebuilt fields appended (every response goes through here, the
        // webhook's thousands a second included: building and validating header values per response showed in perf).
        var type = "", policy: String?, has = (nosniff: false, referrer: false, frame: false)
        for field in headers {
            switch field.name {
            case .contentType: type = field.value
            case .xContentTypeOptions: has.nosniff = true
            case .referrerPolicy: has.referrer = true
            case .contentSecurityPolicy: policy = field.value
            case .xFrameOptions: has.frame = true
            default: break
            }
        }
        if has.nosniff {
            headers[.xContentTypeOptions] = "nosniff"
        } else {
            headers.append(SecurityHeaderFields.nosniff)
        }
        if has.referrer {
            headers[.referrerPolicy] = "no-referrer"
        } else {
            headers.append(SecurityHeaderFields.noReferrer)
        }
        let isPage = type.hasPrefix("text/html")
        guard isPage || type.hasPrefix("image/svg") || type.hasPrefix("text/") || type.hasPrefix("application/xml")
        else { return }
        if isPage {
            // Pages that need more (the pay page's and the console's own scripts) set one of the known policies
            // themselves; every other page gets the pages' one, whatever it set.
            switch policy {
            case nil: headers.append(SecurityHeaderFields.pagePolicy)
            case PayPage.contentSecurityPolicy, ConsolePage.contentSecurityPolicy, HTML.contentSecurityPolicy: break
            default: headers[.contentSecurityPolicy] = HTML.contentSecurityPolicy
            }
        } else if policy == nil {
            headers.append(SecurityHeaderFields.documentPolicy)
        }
        if has.frame { headers[.xFrameOptions] = "DENY" } else { headers.append(SecurityHeaderFields.frameDeny) }
    }
}

/// The security header fields, built (and validated) once.
private enum SecurityHeaderFields {
    static let nosniff = HTTPField(name: .xContentTypeOptions, value: "nosniff")
    static let noReferrer = HTTPField(name: .referrerPolicy, value: "no-referrer")
    static let pagePolicy = HTTPField(name: .contentSecurityPolicy, value: HTML.contentSecurityPolicy)
    /// For anything a browser could render as a document that is not one of our pages.
    static let documentPolicy = HTTPField(
        name: .contentSecurityPolicy,
        value: "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox")
    static let frameDeny = HTTPField(name: .xFrameOptions, value: "DENY")
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
}
