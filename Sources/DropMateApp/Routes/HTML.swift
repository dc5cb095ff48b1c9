import Crypto
import DropMateCore
import Foundation
import Hummingbird

/// HTML that is safe by construction: the literal parts are markup written in this codebase (`StaticString`, so
/// no runtime text can pose as markup), and every interpolated value is escaped for text and quoted attribute
/// values alike. Only another `HTML` is inserted as it is.
///
///     let item: HTML = "<li title=\"\(name)\">\(name) ×\(quantity)</li>"   // name escaped twice over, safely
struct HTML: Sendable, Hashable, ExpressibleByStringInterpolation {
    typealias StringLiteralType = StaticString

    /// The markup, ready to send.
    private(set) var rendered: String

    init(stringLiteral literal: StaticString) {
        rendered = literal.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
    }

    init(stringInterpolation: Interpolation) {
        rendered = stringInterpolation.rendered
    }

    /// Nothing.
    static let empty: HTML = ""

    /// `parts` one after another.
    init(joining parts: some Sequence<HTML>) {
        rendered = parts.map(\.rendered).joined()
    }

    struct Interpolation: StringInterpolationProtocol {
        fileprivate var rendered = ""

        init(literalCapacity: Int, interpolationCount: Int) {
            rendered.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        mutating func appendLiteral(_ literal: StaticString) {
            literal.withUTF8Buffer { rendered += String(decoding: $0, as: UTF8.self) }
        }

        /// Any value as text, escaped: customer text, names, numbers, money.
        mutating func appendInterpolation(_ value: some CustomStringConvertible) {
            HTML.escape(value.description, into: &rendered)
        }

        /// Markup built the same way, as it is.
        mutating func appendInterpolation(_ html: HTML) {
            rendered += html.rendered
        }

        /// Several pieces of markup, one after another.
        mutating func appendInterpolation(_ parts: [HTML]) {
            for part in parts { rendered += part.rendered }
        }

        /// A link target for `href`/`src`/`action`: only `http(s)` URLs and paths on this site, escaped; anything
        /// else (`javascript:`, `data:`) becomes `#`.
        mutating func appendInterpolation(url: String) {
            HTML.escape(HTML.isSafeURL(url) ? url : "#", into: &rendered)
        }
    }

    /// Appends `text` with `& < > " '` replaced by entities.
    static func escape(_ text: String, into result: inout String) {
        result.reserveCapacity(result.utf8.count + text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(character)
            }
        }
    }

    static func isSafeURL(_ url: String) -> Bool {
        let lowered = url.lowercased()
        if lowered.hasPrefix("https://") || lowered.hasPrefix("http://") { return true }
        // A path on this site, not a protocol-relative `//host` one.
        return url.hasPrefix("/") && !url.hasPrefix("//") && !url.hasPrefix("/\\")
    }
}

// MARK: - Pages

extension HTML {
    /// The one stylesheet every page uses, allowed by its hash in the pages' `Content-Security-Policy`.
    static let styleSheet = """
        body{font-family:-apple-system,"PingFang SC",sans-serif;max-width:32rem;margin:1rem auto;padding:0 1rem;line-height:1.5}
        .price{font-size:1.3rem;color:#d4380d}button{width:100%;padding:.8rem;font-size:1.1rem;background:#07c160;color:#fff;border:0;border-radius:.4rem}
        .ok{color:#07c160}small{color:#888}ul{padding-left:1.2rem}.board li{margin:.4rem 0;word-break:break-word}
        .figures{width:100%;border-collapse:collapse}.figures th{text-align:left;font-weight:normal}.figures td{text-align:right}
        .figures tr{border-bottom:1px solid #eee}.chart img{max-width:100%;height:auto}
        .photo{display:block;width:100%;height:auto;border-radius:.4rem}.sold{font-size:.9rem;color:#fff;background:#888;padding:0 .4rem;border-radius:.2rem}
        .order{text-align:center;padding:.8rem;background:#07c160;color:#fff;border-radius:.4rem}
        .phrase{display:block;font-size:1.2rem;margin-top:.3rem;-webkit-user-select:all;user-select:all}
        .menu{padding:0}.menu li{list-style:none;margin:1rem 0;padding-bottom:.6rem;border-bottom:1px solid #eee}
        .menu input{width:4rem;font-size:1.1rem;padding:.2rem}.error{color:#d4380d}
        """

    /// What a page may load: its own stylesheet (by hash), images from this site (the ads' uploaded
    /// photos, `/media/ads/…`) and inlined as `data:` (the report's chart), forms posting back here; no script at all, no framing, no plugins, no `<base>`.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'sha256-\(Data(SHA256.hash(data: Array(styleSheet.utf8))).base64EncodedString())'; "
        + "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    /// A whole page: the mobile-first frame, no JavaScript. The security headers come from ``PageSecurityHeaders``.
    static func page(title: String, body: HTML, status: HTTPResponse.Status = .ok, language: Language = .zh) -> Response
    {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: document(title: title, body: body, language: language).rendered))
        )
    }

    /// The page around `body`, in `language` (`<html lang>`).
    static func document(title: String, body: HTML, language: Language = .zh) -> HTML {
        """
        <!doctype html><html lang="\(language.rawValue)"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title)</title>
        <style>\(HTML(trusted: styleSheet))</style></head>
        <body>\(body)</body></html>
        """
    }

    /// Markup this codebase made itself and vouches for (the stylesheet). Never pass text that came from outside.
    private init(trusted markup: String) {
        rendered = markup
    }
}
