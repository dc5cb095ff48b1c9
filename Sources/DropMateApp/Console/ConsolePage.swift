import Foundation
import Hummingbird

/// The frame of the console's and courier app's pages: the shared `HTML` writer (every interpolated value escaped),
/// one stylesheet and one script, both served from this binary (`/console/assets/…`), and a policy that lets the
/// page load nothing else: no inline script or style, no other origin, no framing.
enum ConsolePage {
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    /// A whole page. `csrf`: the session's CSRF token, for the scripts (nil before sign-in).
    static func page(
        title: String, csrf: String?, header: HTML = .empty, body: HTML, status: HTTPResponse.Status = .ok,
        extraHeaders: HTTPFields = [:]
    ) -> Response {
        let document: HTML = """
            <!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="csrf-token" content="\(csrf ?? "")">
            <title>\(title)</title>
            <link rel="stylesheet" href="/console/assets/console.css">
            <link rel="stylesheet" href="/console/assets/console-forms.css">
            <script src="/console/assets/console.js" defer></script>
            <script src="/console/assets/console-forms.js" defer></script></head>
            <body>\(header)<main id="main">\(body)</main></body></html>
            """
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .contentSecurityPolicy: contentSecurityPolicy,
            .cacheControl: "no-store",
        ]
        headers.append(contentsOf: extraHeaders)
        return Response(
            status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: document.rendered)))
    }

    /// The top bar of a signed-in page: who is signed in, links, and sign-out (a form carrying the CSRF token).
    static func header(user: String, role: String, csrf: String, links: [(String, String)]) -> HTML {
        let nav = links.map { link -> HTML in "<a href=\"\(url: link.0)\">\(link.1)</a>" }
        return """
            <header class="bar"><strong>DropMate 控制台 Console</strong>
            <nav>\(nav)</nav>
            <span class="who">\(user) · \(role)</span>
            <span id="new-badge" class="badge" hidden aria-live="polite"></span>
            <form method="post" action="/console/signout" class="signout"><input type="hidden" name="csrf" value="\(csrf)">
            <button type="submit">退出 Sign out</button></form></header>
            """
    }

    /// A plain message page (errors, refusals).
    static func message(_ title: String, _ text: HTML, status: HTTPResponse.Status) -> Response {
        page(
            title: title, csrf: nil, body: "<section class=\"message\"><h1>\(title)</h1><p>\(text)</p></section>",
            status: status)
    }
}
