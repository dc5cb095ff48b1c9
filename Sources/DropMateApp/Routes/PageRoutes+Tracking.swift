import DropMateCore
import Hummingbird

/// The order tracking page (`/track/{id}`, signed link from the dispatch message) and the public board (`/board`).
extension PageRoutes {
    func addTrackingAndBoard(to router: Router<BasicRequestContext>) {
        router.get("/track/:id") { request, context in try await tracking(request, context: context) }
        router.get("/board") { _, _ in try await board() }
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
            return l.page(title: l("链接已过期", "Link expired"),
                          body: "<p>\(l("链接已过期，请在聊天中发送“到哪了”。", "This link has expired; send \"where is my order\" in the chat."))</p>", status: .gone)
        case .valid: break
        }
        guard let order = try await engine.order(id: id) else { return l.orderNotFound() }
        l = PageLanguage(request, order: order)
        let catalog = engine.catalog
        let status = renderer.statusLine(order, eta: eta(of: order, catalog: catalog), language: l.language, catalog: catalog)
        let lines = order.lines.map { line -> HTML in "<li>\(line.name(l.language)) ×\(line.quantity)\(line.note.map { l("（\($0)）", " (\($0))") } ?? "")</li>" }
            + (order.note.map { note -> [HTML] in ["<li>\(l("备注：", "Note: "))\(note)</li>"] } ?? [])
        let courier = try await courierSection(order, l)
        let paid = try await paymentLine(order, l)
        let again = try await reorderHint(order, l)
        return l.page(title: l("订单 #\(order.id)", "Order #\(order.id)"), body: """
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
        guard order.status == .dispatched, let courierID = order.courierID, let courier = try await engine.courier(id: courierID) else { return .empty }
        guard let position = courier.position, position.isFresh(at: clock()), let destination = order.address.coordinate else {
            return "<p>\(l("骑手：", "Courier: "))\(courier.name)</p>"
        }
        let kilometres = position.coordinate.distance(to: destination) / 1000
        let distance = kilometres < 10 ? String(format: "%.1f", kilometres) : String(Int(kilometres))
        let at = renderer.clockTime(position.at)
        return "<p>\(l("骑手：", "Courier: "))\(courier.name)<br>\(l("距您约 \(distance) 公里（\(at) 更新）", "About \(distance) km away (at \(at))"))</p>"
    }

    /// 再来一单 on a delivered order: what to send in the chat to have it again. The chat repeats the customer's
    /// latest order, so the hint shows only on that order's page, never on an older one it would not repeat.
    func reorderHint(_ order: Order, _ l: PageLanguage) async throws -> HTML {
        guard order.status == .delivered,
              try await engine.store.recentOrders(customer: order.customer, limit: 10).first(where: { !$0.lines.isEmpty })?.id == order.id else { return .empty }
        return """
            <p class="order">\(l("再来一单", "Order again"))<b class="phrase">\(l("再来一单", "order again"))</b></p>
            <p><small>\(l("在公众号聊天里发送“再来一单”，按今天的价格重新下这一单，确认后才会下单。",
                           "Send \"order again\" in the chat: the same order at today's prices, placed only once you confirm."))</small></p>
            """
    }

    func eta(of order: Order, catalog: Catalog) -> Int64? {
        catalog.merchant(id: order.merchantID).flatMap { engine.eta.arrival(of: order, merchant: $0, now: clock()) }
    }

    func board() async throws -> Response {
        let posts = try await engine.publicBoard(limit: 30)
        let items = posts.map { post -> HTML in "<li><small><time>\(renderer.dateTime(post.createdAt))</time></small> \(post.body)</li>" }
        let list: HTML = posts.isEmpty ? "<p>还没有留言。No posts yet.</p>" : "<ul class=\"board\">\(items)</ul>"
        let body: HTML = """
            <h1>留言板 <small>Message board</small></h1>
            \(list)
            <p><small>在公众号里发送“留言 …”即可留言。Send "post …" in the chat to write one.</small></p>
            """
        return HTML.page(title: "留言板 Message board", body: body)
    }
}
