import DropMateCore
import DropMateObjectStore
import Foundation
import Hummingbird

/// The ad page (`/ads/{id}`, the link of the chat's news articles): the uploaded photo, price, a sold-out mark and
/// what to send in the chat to order it. A WeChat page cannot send a chat message for the customer, so the "button"
/// is the phrase itself, selected whole by one tap (long-press copies it); no script.
extension PageRoutes {
    func adPage(_ request: Request, context: BasicRequestContext) -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let item = engine.catalog.item(id: id) else {
            return HTML.page(title: "Not found", body: "<p>这个菜品已下架。This item is no longer offered.</p>", status: .notFound)
        }
        let merchant = engine.catalog.merchant(id: item.merchantID)
        let photo: HTML = Self.adImagePath(item.pictureURL).map { path -> HTML in "<img class=\"photo\" src=\"\(url: path)\" alt=\"\(item.name.zh)\">" } ?? .empty
        let soldOut: HTML = item.isSoldOut ? " <span class=\"sold\">已卖完 Sold out</span>" : .empty
        let order: HTML = item.isSoldOut
            ? "<p>今天卖完了，在公众号里发送“菜单”看看别的。<br>Sold out for now: send \"menu\" in the chat to see the rest.</p>"
            : """
              <p class="order">回复下单 · Send to order<br><b class="phrase">1份\(item.name.zh)</b><b class="phrase">order 1 \(item.name.en)</b></p>
              <p><small>长按复制，回到公众号聊天发送即可下单。Long-press to copy, then send it in the chat.</small></p>
              """
        return HTML.page(title: item.name.zh, body: """
            \(photo)<h1>\(item.name.zh) <small>\(item.name.en)</small></h1>
            <p class="price">\(item.price)\(soldOut)</p>
            <p>\(item.description.zh)<br>\(item.description.en)</p>
            <p>\(merchant?.name.zh ?? "") · \(merchant?.name.en ?? "")</p>
            \(order)
            """)
    }

    /// The same-origin path (`/media/ads/{file}`) of an ad's uploaded image, or nil when it has none or its picture
    /// lives elsewhere (the pages' policy loads images from this site only).
    static func adImagePath(_ pictureURL: String) -> String? {
        guard let components = URLComponents(string: pictureURL), components.query == nil, components.fragment == nil,
              components.scheme == nil || components.scheme == "https" || components.scheme == "http",
              components.path.hasPrefix("/media/ads/") else { return nil }
        let file = String(components.path.dropFirst("/media/ads/".count))
        // One segment, as `/media/ads/:file` serves it.
        guard !file.contains("/"), let type = MediaRoutes.contentType(file), type.hasPrefix("image/"), type != "image/svg+xml", ObjectKey.isValid("ads/\(file)") else { return nil }
        return "/media/ads/\(file)"
    }
}
