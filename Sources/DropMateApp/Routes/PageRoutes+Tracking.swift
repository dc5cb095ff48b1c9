import DropMateCore
import DropMateDataProtection
import HTTPTypes
import Hummingbird

/// The order tracking page (`/track/{id}`, signed link from the dispatch message) and the public board (`/board`).
extension PageRoutes {
    func addTrackingAndBoard(to router: Router<BasicRequestContext>) {
        router.get("/track/:id") { request, context in try await tracking(request, context: context) }
        router.post("/track/:id/reorder") { request, context in try await reorderFromPage(request, context: context) }
        router.get("/board") { request, _ in try await board(request) }
    }

    func tracking(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var l = PageLanguage(request)
        guard let id = context.parameters.get("id", as: Int64.self),
            let expires = request.uri.queryParameters.get("exp", as: Int64.self),
            let signature = request.uri.queryParameters.get("sig")
        else { return l.invalidLink(.badRequest) }
        switch signer.verify(purpose: "track", id: "\(id)", expires: expires, signature: signature, now: clock()) {
        case .forged: return l.invalidLink(.forbidden)
        case .expired:
            return l.page(
                title: l("链接已过期", "Link expired"),
                body:
                    "<p>\(l("链接已过期，请在聊天中发送“到哪了”。", "This link has expired; send \"where is my order\" in the chat."))</p>",
                status: .gone)
        case .valid: break
        }
        guard let order = try await engine.order(id: id) else { return l.orderNotFound() }
        l = PageLanguage(request, order: order)
        let catalog = engine.catalog
        let status = renderer.statusLine(
            order, eta: eta(of: order, catalog: catalog), language: l.language, catalog: catalog)
        let lines =
            order.lines.map { line -> HTML in
                "<li>\(line.name(l.language)) ×\(line.quantity)\(line.note.map { l("（\($0)）", " (\($0))") } ?? "")</li>"
            }
            + (order.note.map { note -> [HTML] in ["<li>\(l("备注：", "Note: "))\(note)</li>"] } ?? [])
        let courier = try await courierSection(order, l)
        let paid = try await paymentLine(order, l)
        let again = try await reorderHint(order, l, expires: expires, signature: String(signature))
        return l.page(
            title: l("订单 #\(order.id)", "Order #\(order.id)"),
            body: """
                <h1>\(l("订单", "Order")) #\(order.id)</h1>
                <p class="ok">\(status)</p>
                <ul>\(lines)</ul>
                \(Self.totals(order, l))
                <p>\(l("送至：", "To: "))\(order.address.text)</p>
                \(paid)\(courier)\(again)<p><small>\(l("页面不会自动刷新，请下拉刷新。", "This page does not refresh itself: pull down to refresh."))</small></p>
                """)
    }

    /// Where the courier is, as far from the customer as the road allows (no map, no JavaScript).
    func courierSection(_ order: Order, _ l: PageLanguage) async throws -> HTML {
        guard order.status == .dispatched, let courierID = order.courierID,
            let courier = try await engine.courier(id: courierID)
        else { return .empty }
        guard let position = courier.position, position.isFresh(at: clock()), let destination = order.address.coordinate
        else {
            return "<p>\(l("骑手：", "Courier: "))\(courier.name)</p>"
        }
        let kilometres = position.coordinate.distance(to: destination) / 1000
        let distance = kilometres < 10 ? String(format: "%.1f", kilometres) : String(Int(kilometres))
        let at = renderer.clockTime(position.at)
        return
            "<p>\(l("骑手：", "Courier: "))\(courier.name)<br>\(l("距您约 \(distance) 公里（\(at) 更新）", "About \(distance) km away (at \(at))"))</p>"
    }

    /// 再来一单 on a delivered order: a button that puts the same order (at today's prices, under today's rules) in the
    /// chat as a draft, and what to send in the chat instead. The chat repeats the customer's latest order, so both
    /// show only on that order's page, never on an older one.
    func reorderHint(_ order: Order, _ l: PageLanguage, expires: Int64, signature: String) async throws -> HTML {
        guard order.status == .delivered,
            try await engine.store.recentOrders(customer: order.customer, limit: 10).first(where: { !$0.lines.isEmpty }
            )?.id == order.id
        else { return .empty }
        let nonce = Hex.encode(SecureRandom.shared.bytes(16))
        let action = "/track/\(order.id)/reorder?exp=\(expires)&sig=\(signature)&lang=\(l.language.rawValue)"
        return """
            <form method="post" action="\(url: action)"><input type="hidden" name="nonce" value="\(nonce)">
            <input type="hidden" name="token" value="\(menuLinks.formToken(sealed: "track:\(order.id)", nonce: nonce, expires: expires))">
            <button type="submit">\(l("再来一单", "Order again"))</button></form>
            <p class="order">\(l("或在聊天里发送", "or send in the chat"))<b class="phrase">\(l("再来一单", "order again"))</b></p>
            <p><small>\(l("按今天的价格重新下这一单，在聊天里确认后才会下单。",
                           "The same order at today's prices, placed only once you confirm in the chat."))</small></p>
            """
    }

    /// `POST /track/{id}/reorder`: the tracking page's 再来一单, once per form, for the order's own customer (the signed
    /// tracking link names the order, the order its customer).
    func reorderFromPage(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var l = PageLanguage(request)
        if request.headers[HTTPField.Name("Sec-Fetch-Site")!]?.lowercased() == "cross-site" {
            return l.page(
                title: l("请求无效", "Invalid request"), body: "<p>\(l("请从订单页面提交。", "Please use the order page."))</p>",
                status: .forbidden)
        }
        guard let id = context.parameters.get("id", as: Int64.self),
            let expires = request.uri.queryParameters.get("exp", as: Int64.self),
            let signature = request.uri.queryParameters.get("sig")
        else { return l.invalidLink(.badRequest) }
        switch signer.verify(
            purpose: "track", id: "\(id)", expires: expires, signature: String(signature), now: clock())
        {
        case .forged: return l.invalidLink(.forbidden)
        case .expired:
            return l.page(
                title: l("链接已过期", "Link expired"),
                body: "<p>\(l("链接已过期，请在聊天中发送“再来一单”。", "This link has expired; send \"order again\" in the chat."))</p>",
                status: .gone)
        case .valid: break
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: 4096) } catch {
            return l.page(
                title: l("请求无效", "Invalid request"), body: "<p>\(l("提交的内容太多。", "The form was too large."))</p>",
                status: .contentTooLarge)
        }
        guard let fields = Self.formFields(String(buffer: body)), let nonce = fields["nonce"], nonce.count == 32,
            nonce.allSatisfy(\.isHexDigit),
            let token = fields["token"],
            menuLinks.verifyFormToken(token, sealed: "track:\(id)", nonce: nonce, expires: expires)
        else {
            return l.page(
                title: l("页面已失效", "Out of date"),
                body: "<p>\(l("页面已失效，请刷新后再试。", "This page is out of date: refresh it and try again."))</p>",
                status: .forbidden)
        }
        guard let order = try await engine.order(id: id) else { return l.orderNotFound() }
        l = PageLanguage(request, order: order)
        guard order.status == .delivered else {
            return l.page(
                title: l("无法再来一单", "Can't reorder"),
                body: "<p>\(l("这一单还没有送达。", "This order has not been delivered yet."))</p>", status: .conflict)
        }
        let outcome = try await engine.submitFromPage(
            .reorderFromPage(orderID: id), customer: order.customer, formKey: nonce)
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
            again ? "<p><small>\(l("已经提交过，没有重复下单。", "Already sent; nothing was ordered twice."))</small></p>" : .empty
        return l.page(
            title: l("再来一单", "Order again"),
            body: """
                <h1>\(l("再来一单", "Order again"))</h1>
                \(repeated)<div class="said">\(said)</div>
                <p class="order">\(l("请回到公众号聊天继续", "Carry on in the chat"))</p>
                """)
    }

    func eta(of order: Order, catalog: Catalog) -> Int64? {
        catalog.merchant(id: order.merchantID).flatMap { engine.eta.arrival(of: order, merchant: $0, now: clock()) }
    }

    /// The public board in one language: `?lang`, else the browser's `Accept-Language` (the posts are the customers' own).
    func board(_ request: Request) async throws -> Response {
        let l = PageLanguage(request)
        let posts = try await reads.publicBoard(limit: 30)
        let items = posts.map { post -> HTML in
            "<li><small><time>\(renderer.dateTime(post.createdAt))</time></small> \(post.body)</li>"
        }
        let list: HTML = posts.isEmpty ? "<p>\(l("还没有留言。", "No posts yet."))</p>" : "<ul class=\"board\">\(items)</ul>"
        let body: HTML = """
            <h1>\(l("留言板", "Message board"))</h1>
            \(list)
            <p><small>\(l("在公众号里发送“留言 …”即可留言。", "Send \"post …\" in the chat to write one."))</small></p>
            """
        return l.page(title: l("留言板", "Message board"), body: body)
    }
}
