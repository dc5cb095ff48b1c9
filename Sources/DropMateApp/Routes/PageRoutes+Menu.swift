import DropMateCore
import DropMateDataProtection
import Foundation
import HTTPTypes
import Hummingbird

/// The menu page (`/menu?c=…&exp=…&sig=…`, the signed link the chat sends on "菜单 / menu"): every shop's items with
/// the ads' photos, prices and sold-out marks, and a cart per shop. No script: a cart is a form of quantities, sent
/// back to `POST /menu` with the same signed query. The cart becomes the customer's draft (`ConversationEngine
/// .submitCart`) and the chat asks only for what is missing.
///
/// The POST is checked before anything happens: the signed link (whose customer), the form's token (made for that
/// link when the page was shown: no other site can build a form that passes), a browser's own `Sec-Fetch-Site:
/// cross-site`, the items (this shop's, 1 to the largest quantity; prices never come from the page) and the rules
/// (pause, hours, sold out), each refusal a clear message above the menu again. The form's random nonce makes a
/// double submit one cart.
extension PageRoutes {
    /// The largest cart form body (a whole menu of quantities is far smaller).
    static let maximumCartBody = 16 * 1024

    func addMenu(to router: Router<BasicRequestContext>) {
        router.get("/menu") { request, _ in menuPage(request) }
        router.post("/menu") { request, _ in try await submitCart(request) }
    }

    /// What the signed query names: a customer (with the link's sealed name and expiry), or the page that says why not.
    enum MenuLink {
        case customer(String, sealed: String, expires: Int64)
        case refused(Response)
    }

    func menuLink(_ request: Request, _ l: PageLanguage) -> MenuLink {
        let query = request.uri.queryParameters
        guard let sealed = query.get("c"), let expires = query.get("exp", as: Int64.self),
            let signature = query.get("sig")
        else {
            return .refused(l.invalidLink(.badRequest))
        }
        switch menuLinks.signer.verify(
            purpose: MenuLinks.purpose, id: sealed, expires: expires, signature: String(signature), now: clock())
        {
        case .forged: return .refused(l.invalidLink(.forbidden))
        case .expired:
            return .refused(
                l.page(
                    title: l("链接已过期", "Link expired"),
                    body:
                        "<p>\(l("链接已过期，请在聊天中再发送“菜单”。", "This link has expired; send \"menu\" in the chat again."))</p>",
                    status: .gone))
        case .valid: break
        }
        guard let customer = menuLinks.customer(sealed) else { return .refused(l.invalidLink(.forbidden)) }
        return .customer(customer, sealed: sealed, expires: expires)
    }

    func menuPage(_ request: Request) -> Response {
        let l = PageLanguage(request)
        switch menuLink(request, l) {
        case .refused(let response): return response
        case .customer(_, let sealed, let expires): return menu(sealed: sealed, expires: expires, l)
        }
    }

    /// The menu, with `problem` said above it (and answered with `status`).
    func menu(
        sealed: String, expires: Int64, _ l: PageLanguage, problem: String? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        let catalog = engine.catalog, now = clock()
        let action =
            "/menu?c=\(sealed)&exp=\(expires)&sig=\(menuLinks.signer.signature(purpose: MenuLinks.purpose, id: sealed, expires: expires))&lang=\(l.language.rawValue)"
        var shops: [HTML] = []
        for merchant in catalog.merchantsInAdOrder {
            let items = catalog.items.filter { $0.merchantID == merchant.id }
            guard !items.isEmpty else { continue }
            let (takes, note) = shopNote(merchant, catalog: catalog, now: now, l)
            let rows = items.map { item -> HTML in
                let name = item.name(l.language)
                let photo: HTML =
                    Self.adImagePath(item.pictureURL).map { path -> HTML in
                        "<img class=\"photo\" src=\"\(url: path)\" alt=\"\(name)\">"
                    } ?? .empty
                var quantity = HTML.empty
                if item.isSoldOut {
                    quantity = " <span class=\"sold\">\(l("已卖完", "Sold out"))</span>"
                } else if takes {
                    quantity =
                        "<label>\(l("数量", "Quantity")) <input type=\"number\" name=\"q.\(item.id)\" min=\"0\" max=\"\(engine.rules.maxQuantity)\" value=\"0\" inputmode=\"numeric\"></label>"
                }
                return
                    "<li>\(photo)<b>\(name)</b> <span class=\"price\">\(item.price)</span><br><small>\(item.description(l.language))</small><br>\(quantity)</li>"
            }
            let nonce = Hex.encode(SecureRandom.shared.bytes(16))
            let form: HTML =
                takes
                ? """
                <form method="post" action="\(url: action)">
                <input type="hidden" name="m" value="\(merchant.id)"><input type="hidden" name="nonce" value="\(nonce)">
                <input type="hidden" name="token" value="\(menuLinks.formToken(sealed: sealed, nonce: nonce, expires: expires))">
                <ul class="menu">\(rows)</ul>
                <button type="submit">\(l("选好了，去下单", "Add to my order"))</button></form>
                """ : "<ul class=\"menu\">\(rows)</ul>"
            shops.append("<section><h2>\(merchant.name(l.language))</h2>\(note)\(form)</section>")
        }
        let error: HTML = problem.map { "<p class=\"error\">\($0)</p>" } ?? .empty
        let empty: HTML = shops.isEmpty ? "<p>\(l("今天暂时没有可点的菜品。", "Nothing is on offer right now."))</p>" : .empty
        return l.page(
            title: l("菜单", "Menu"),
            body: """
                <h1>\(l("菜单", "Menu"))</h1>
                \(error)\(empty)\(shops)
                <p><small>\(l("选好数量后提交，回到公众号聊天补充地址和电话并确认。价格以店铺当前价格为准。",
                           "Choose quantities and send: the chat then asks for the address and phone, and you confirm there. Prices are the shop's current ones."))</small></p>
                """, status: status)
    }

    /// Whether the shop takes orders now (or for when it opens), and what the page says about it.
    func shopNote(_ merchant: Merchant, catalog: Catalog, now: Int64, _ l: PageLanguage) -> (Bool, HTML) {
        let rules = catalog.rules(forMerchant: merchant.id)
        let say = { (reply: RulesReply) -> HTML in
            "<p class=\"error\">\(renderer.text(for: .rules(reply), language: l.language, catalog: catalog))</p>"
        }
        switch rules.availability(at: now, in: engine.rules.businessTime) {
        case .open: return (true, .empty)
        case .closed(let opensAt?) where rules.acceptsOrdersForLater:
            return (true, say(.forLater(shop: merchant.name, opensAt: opensAt)))
        case .closed(let opensAt): return (false, say(.closed(shop: merchant.name, opensAt: opensAt)))
        case .paused(let until, let reopensAt):
            return (false, say(.paused(shop: merchant.name, until: until, reopensAt: reopensAt)))
        }
    }

    func submitCart(_ request: Request) async throws -> Response {
        let l = PageLanguage(request)
        // A browser says when another site sent the form; such a request is refused whatever it carries.
        if request.headers[HTTPField.Name("Sec-Fetch-Site")!]?.lowercased() == "cross-site" {
            return l.page(
                title: l("请求无效", "Invalid request"),
                body: "<p>\(l("请从菜单页面提交。", "Please send the form from the menu page."))</p>", status: .forbidden)
        }
        let link: (customer: String, sealed: String, expires: Int64)
        switch menuLink(request, l) {
        case .refused(let response): return response
        case .customer(let customer, let sealed, let expires): link = (customer, sealed, expires)
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: Self.maximumCartBody) } catch {
            return menu(
                sealed: link.sealed, expires: link.expires, l, problem: l("提交的内容太多。", "The form was too large."),
                status: .contentTooLarge)
        }
        let cart: Cart, nonce: String
        switch readCart(String(buffer: body), link: link, l) {
        case .failure(let problem):
            return menu(sealed: link.sealed, expires: link.expires, l, problem: problem.text, status: problem.status)
        case .success(let read): (cart, nonce) = read
        }
        let outcome = try await engine.submitCart(cart, customer: link.customer, formKey: nonce)
        let (reply, again): (OutgoingMessage?, Bool) =
            switch outcome {
            case .taken(let reply): (reply, false)
            case .alreadyTaken(let reply): (reply, true)
            }
        var said: [HTML] = []
        if case .text(let text)? = reply {
            said = text.components(separatedBy: "\n").map { line -> HTML in line.isEmpty ? .empty : "<p>\(line)</p>" }
        }
        let repeated: HTML =
            again
            ? "<p><small>\(l("这份购物车已经提交过，没有重复下单。", "This cart was already sent; nothing was ordered twice."))</small></p>"
            : .empty
        return l.page(
            title: l("已提交", "Sent"),
            body: """
                <h1>\(l("已加入订单", "Added to your order"))</h1>
                \(repeated)<div class="said">\(said)</div>
                <p class="order">\(l("请回到公众号聊天继续", "Carry on in the chat"))</p>
                <p><small>\(l("聊天里会问您还缺的信息（地址、电话），确认后才会下单。",
                           "The chat asks for whatever is missing (address, phone); nothing is ordered until you confirm."))</small></p>
                """)
    }

    struct CartProblem: Error {
        var text: String
        var status: HTTPResponse.Status
    }

    /// The cart a form describes, checked against the link, the catalog and the shop's rules.
    func readCart(
        _ body: String, link: (customer: String, sealed: String, expires: Int64), _ l: PageLanguage
    ) -> Result<(Cart, String), CartProblem> {
        guard let fields = Self.formFields(body) else {
            return .failure(CartProblem(text: l("无法读取提交的内容。", "The form could not be read."), status: .badRequest))
        }
        guard let nonce = fields["nonce"], nonce.count == 32, nonce.allSatisfy(\.isHexDigit),
            let token = fields["token"],
            menuLinks.verifyFormToken(token, sealed: link.sealed, nonce: nonce, expires: link.expires)
        else {
            return .failure(
                CartProblem(
                    text: l("页面已失效，请重新选择。", "This page is out of date: please choose again."), status: .forbidden))
        }
        let catalog = engine.catalog
        guard let merchantID = fields["m"], let merchant = catalog.merchant(id: merchantID) else {
            return .failure(CartProblem(text: l("这家店不在菜单上。", "That shop is not on the menu."), status: .badRequest))
        }
        var lines: [Cart.Line] = []
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) where key.hasPrefix("q.") {
            let itemID = String(key.dropFirst(2))
            guard let item = catalog.item(id: itemID), item.merchantID == merchant.id else {
                return .failure(
                    CartProblem(
                        text: l(
                            "有菜品不在这家店的菜单上，请重新选择。", "Something chosen is not on this shop's menu: please choose again."),
                        status: .badRequest))
            }
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            guard
                trimmed.isEmpty
                    || (trimmed.count <= 3 && trimmed.allSatisfy(\.isASCII) && trimmed.allSatisfy(\.isNumber))
            else {
                return .failure(
                    CartProblem(
                        text: l(
                            "\(item.name.zh)的数量应为 0 到 \(engine.rules.maxQuantity) 的整数。",
                            "The quantity of \(item.name.en) must be a whole number from 0 to \(engine.rules.maxQuantity)."
                        ), status: .badRequest))
            }
            let quantity = Int(trimmed) ?? 0
            guard quantity <= engine.rules.maxQuantity else {
                return .failure(
                    CartProblem(
                        text: l(
                            "\(item.name.zh)最多 \(engine.rules.maxQuantity) 份。",
                            "At most \(engine.rules.maxQuantity) of \(item.name.en)."), status: .badRequest))
            }
            if quantity > 0 { lines.append(Cart.Line(itemID: item.id, quantity: quantity)) }
        }
        guard !lines.isEmpty, lines.count <= Cart.maximumLines else {
            return .failure(CartProblem(text: l("请至少选一样菜品。", "Please choose at least one item."), status: .badRequest))
        }
        // The rules now, as the chat applies them; the chat checks again when the cart arrives.
        let rules = catalog.rules(forMerchant: merchant.id)
        let say = { (reply: RulesReply) -> String in
            renderer.text(for: .rules(reply), language: l.language, catalog: catalog)
        }
        switch rules.availability(at: clock(), in: engine.rules.businessTime) {
        case .open: break
        case .closed(let opensAt?) where rules.acceptsOrdersForLater: _ = opensAt
        case .closed(let opensAt):
            return .failure(CartProblem(text: say(.closed(shop: merchant.name, opensAt: opensAt)), status: .conflict))
        case .paused(let until, let reopensAt):
            return .failure(
                CartProblem(
                    text: say(.paused(shop: merchant.name, until: until, reopensAt: reopensAt)), status: .conflict))
        }
        let soldOut = lines.compactMap { catalog.item(id: $0.itemID) }.filter(\.isSoldOut)
        if !soldOut.isEmpty {
            let rest = catalog.items.filter { $0.merchantID == merchant.id && !$0.isSoldOut }
            return .failure(CartProblem(text: say(.soldOut(soldOut.map(\.name), rest: rest)), status: .conflict))
        }
        return .success((Cart(merchantID: merchant.id, lines: lines), nonce))
    }

    /// `application/x-www-form-urlencoded` fields; nil when a name repeats or a field cannot be decoded.
    static func formFields(_ body: String) -> [String: String]? {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String? {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }
            guard let name = decode(parts[0]), let value = parts.count > 1 ? decode(parts[1]) : "", fields[name] == nil
            else { return nil }
            fields[name] = value
        }
        return fields
    }
}
