import DropMateCore
import Hummingbird

/// The one language a page speaks: `?lang=zh|en` when the customer switched, else the order's language, else the
/// browser's `Accept-Language` (zh… → Chinese, anything else → English; none at all → Chinese, WeChat's default).
///
/// `lang` is not part of any signature: signed links sign the purpose, id and expiry only (`LinkSigner`), so the
/// switch link keeps the signed query as it came and only sets `lang`.
struct PageLanguage: Sendable {
    let language: Language
    /// The page's own path and query with `lang` set to the other language.
    let switchPath: String

    init(_ request: Request, order: Order? = nil) {
        let asked = request.uri.queryParameters.get("lang").flatMap { Language(rawValue: String($0)) }
        language = asked ?? order?.language ?? Self.accepted(request.headers[.acceptLanguage])
        let other: Language = language == .zh ? .en : .zh
        let kept = (request.uri.query ?? "").split(separator: "&").filter { $0 != "lang" && !$0.hasPrefix("lang=") }
        switchPath =
            request.uri.path + "?" + (kept.map(String.init) + ["lang=\(other.rawValue)"]).joined(separator: "&")
    }

    /// The language `Accept-Language` prefers most (highest `q`, the first of equals).
    static func accepted(_ header: String?) -> Language {
        guard let header, !header.isEmpty else { return .zh }
        var best: (tag: Substring, q: Double)? = nil
        for range in header.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first, !tag.isEmpty else { continue }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            guard q > 0, q > (best?.q ?? -1) else { continue }
            best = (Substring(tag), q)
        }
        // Nothing usable, or "*" (any language): WeChat's own language.
        guard let tag = best?.tag.lowercased(), tag != "*" else { return .zh }
        return tag.hasPrefix("zh") ? .zh : .en
    }

    /// `zh` or `en`, whichever this page speaks.
    func callAsFunction(_ zh: String, _ en: String) -> String { language == .zh ? zh : en }

    /// The small link to the other language, as the page's last line.
    var switchLink: HTML {
        "<p><small><a href=\"\(url: switchPath)\" lang=\"\(language == .zh ? "en" : "zh")\">\(self("English", "中文"))</a></small></p>"
    }

    /// A whole page in this language, the switch link last.
    func page(title: String, body: HTML, status: HTTPResponse.Status = .ok) -> Response {
        HTML.page(title: title, body: "\(body)\(switchLink)", status: status, language: language)
    }

    /// A signed link that is missing its signature (400) or whose signature does not verify (403).
    func invalidLink(_ status: HTTPResponse.Status) -> Response {
        page(
            title: self("链接无效", "Invalid link"), body: "<p>\(self("链接无效。", "This link is not valid."))</p>",
            status: status)
    }

    func orderNotFound() -> Response {
        page(
            title: self("没有找到", "Not found"), body: "<p>\(self("没有找到这个订单。", "Order not found."))</p>", status: .notFound
        )
    }
}
