import DropMateCore
import DropMateObjectStore
import Foundation
import Hummingbird

/// The ad page (`/ads/{id}`, the link of the chat's news articles): the uploaded photo, price, a sold-out mark and
/// what to send in the chat to order it. A WeChat page cannot send a chat message for the customer, so the "button"
/// is the phrase itself, selected whole by one tap (long-press copies it); no script.
extension PageRoutes {
    func adPage(_ request: Request, context: BasicRequestContext) -> Response {
        let l = PageLanguage(request)
        let id = context.parameters.get("id") ?? ""
        guard let item = engine.catalog.item(id: id) else {
            return l.page(
                title: l("没有找到", "Not found"), body: "<p>\(l("这个菜品已下架。", "This item is no longer offered."))</p>",
                status: .notFound)
        }
        let name = item.name(l.language)
        let merchant = engine.catalog.merchant(id: item.merchantID)
        let photo: HTML =
            Self.adImagePath(item.pictureURL).map { path -> HTML in
                "<img class=\"photo\" src=\"\(url: path)\" alt=\"\(name)\">"
            } ?? .empty
        let soldOut: HTML = item.isSoldOut ? " <span class=\"sold\">\(l("已卖完", "Sold out"))</span>" : .empty
        let order: HTML =
            item.isSoldOut
            ? "<p>\(l("今天卖完了，在公众号里发送“菜单”看看别的。", "Sold out for now: send \"menu\" in the chat to see the rest."))</p>"
            : """
            <p class="order">\(l("回复下单", "Send to order"))<b class="phrase">\(l("1份\(item.name.zh)", "order 1 \(item.name.en)"))</b></p>
            <p><small>\(l("长按复制，回到公众号聊天发送即可下单。", "Long-press to copy, then send it in the chat."))</small></p>
            """
        return l.page(
            title: name,
            body: """
                \(photo)<h1>\(name)</h1>
                <p class="price">\(item.price)\(soldOut)</p>
                <p>\(item.description(l.language))</p>
                <p>\(merchant?.name(l.language) ?? "")</p>
                \(order)
                """)
    }

    /// The same-origin path (`/media/ads/{file}`) of an ad's uploaded image, or nil when it has none or its picture
    /// lives elsewhere (the pages' policy loads images from this site only).
    static func adImagePath(_ pictureURL: String) -> String? {
        guard let components = URLComponents(string: pictureURL), components.query == nil, components.fragment == nil,
            components.scheme == nil || components.scheme == "https" || components.scheme == "http",
            components.path.hasPrefix("/media/ads/")
        else { return nil }
        let file = String(components.path.dropFirst("/media/ads/".count))
        // One segment, as `/media/ads/:file` serves it.
        guard !file.contains("/"), let type = MediaRoutes.contentType(file), type.hasPrefix("image/"),
            type != "image/svg+xml", ObjectKey.isValid("ads/\(file)")
        else { return nil }
        return "/media/ads/\(file)"
    }
}
