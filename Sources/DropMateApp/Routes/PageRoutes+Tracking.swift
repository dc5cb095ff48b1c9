import DropMateCore
import Hummingbird

/// The order tracking page (`/track/{id}`, signed link from the dispatch message) and the public board (`/board`).
extension PageRoutes {
    func addTrackingAndBoard(to router: Router<BasicRequestContext>) {
        router.get("/track/:id") { request, context in try await tracking(request, context: context) }
        router.get("/board") { _, _ in try await board() }
    }

    func tracking(_ request: Request, context: BasicRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id", as: Int64.self),
              let expires = request.uri.queryParameters.get("exp", as: Int64.self),
              let signature = request.uri.queryParameters.get("sig")
        else { return HTML.page(title: "Invalid link", body: "<p>链接无效。This link is not valid.</p>", status: .badRequest) }
        switch signer.verify(purpose: "track", id: "\(id)", expires: expires, signature: signature, now: clock()) {
        case .forged: return HTML.page(title: "Invalid link", body: "<p>链接无效。This link is not valid.</p>", status: .forbidden)
        case .expired: return HTML.page(title: "Link expired", body: "<p>链接已过期，请在聊天中发送“到哪了”。<br>This link has expired; send \"where is my order\" in the chat.</p>", status: .gone)
        case .valid: break
        }
        guard let order = try await engine.order(id: id) else {
            return HTML.page(title: "Not found", body: "<p>没有找到这个订单。Order not found.</p>", status: .notFound)
        }
        let catalog = engine.catalog
        let arrival = eta(of: order, catalog: catalog)
        let zh = renderer.statusLine(order, eta: arrival, language: .zh, catalog: catalog)
        let en = renderer.statusLine(order, eta: arrival, language: .en, catalog: catalog)
        let lines = order.lines.map { line -> HTML in "<li>\(line.name.zh) / \(line.name.en) ×\(line.quantity)\(line.note.map { "（\($0)）" } ?? "")</li>" }
            + (order.note.map { note -> [HTML] in ["<li>备注 Note: \(note)</li>"] } ?? [])
        let courier = try await courierSection(order)
        let paid = try await paymentLine(order)
        return HTML.page(title: "订单 #\(order.id)", body: """
            <h1>订单 #\(order.id) <small>Order #\(order.id)</small></h1>
            <p class="ok">\(zh)<br><small>\(en)</small></p>
            <ul>\(lines)</ul>
            \(Self.totals(order))
            <p>送至 To: \(order.address.text)</p>
            \(paid)\(courier)<p><small>页面不会自动刷新，请下拉刷新。Pull to refresh.</small></p>
            """)
    }

    /// Where the courier is, as far from the customer as the road allows (no map, no JavaScript).
    func courierSection(_ order: Order) async throws -> HTML {
        guard order.status == .dispatched, let courierID = order.courierID, let courier = try await engine.courier(id: courierID) else { return .empty }
        guard let position = courier.position, position.isFresh(at: clock()), let destination = order.address.coordinate else {
            return "<p>骑手 Courier: \(courier.name)</p>"
        }
        let kilometres = position.coordinate.distance(to: destination) / 1000
        let distance = kilometres < 10 ? String(format: "%.1f", kilometres) : String(Int(kilometres))
        let at = renderer.clockTime(position.at)
        return """
            <p>骑手 Courier: \(courier.name)<br>距您约 \(distance) 公里（\(at) 更新）<br><small>About \(distance) km away (at \(at))</small></p>
            """
    }

    func eta(of order: Order, catalog: Catalog) -> Int64? {
        catalog.merchant(id: order.merchantID).flatMap { engine.eta.arrival(of: order, merchant: $0, now: clock()) }
    }

    func board() async throws -> Response {
        let posts = try await engine.publicBoard(limit: 30)
        let items = posts.map { post -> HTML in "<li><small>\(renderer.clockTime(post.createdAt))</small> \(post.body)</li>" }
        let list: HTML = posts.isEmpty ? "<p>还没有留言。No posts yet.</p>" : "<ul class=\"board\">\(items)</ul>"
        let body: HTML = """
            <h1>留言板 <small>Message board</small></h1>
            \(list)
            <p><small>在公众号里发送“留言 …”即可留言。Send "post …" in the chat to write one.</small></p>
            """
        return HTML.page(title: "留言板 Message board", body: body)
    }
}
