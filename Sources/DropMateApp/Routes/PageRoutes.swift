import DropMateCore
import DropMateEngine
import DropMateStorage
import Hummingbird

/// The small H5 pages opened from chat: the signed confirmation page, the ad page (PageRoutes+Ad), tracking and the board.
struct PageRoutes: Sendable {
    let engine: ConversationEngine
    /// The board page's posts (may lag a little: the read replica when one keeps up).
    let reads: SQLReadModel
    let signer: LinkSigner
    let renderer: ReplyRenderer
    let clock: @Sendable () -> Int64
    /// Orders' payments, for the tracking page's paid / not paid line (nil: payment is off).
    var payments: SQLPaymentStore? = nil
    /// The signed pay link of a confirmed order (nil: payment is off).
    var payLink: (@Sendable (Order) -> String)? = nil
    /// The menu page's signed links and form tokens.
    let menuLinks: MenuLinks

    func add(to router: Router<BasicRequestContext>) {
        addTrackingAndBoard(to: router)
        addMenu(to: router)
        router.get("/confirm/:id") { request, context in
            try await confirmation(request, context: context, confirm: false)
        }
        router.post("/confirm/:id") { request, context in
            try await confirmation(request, context: context, confirm: true)
        }
        router.get("/ads/:id") { request, context in adPage(request, context: context) }
    }

    func confirmation(_ request: Request, context: BasicRequestContext, confirm: Bool) async throws -> Response {
        var l = PageLanguage(request)
        guard let id = context.parameters.get("id", as: Int64.self),
            let expires = request.uri.queryParameters.get("exp", as: Int64.self),
            let signature = request.uri.queryParameters.get("sig")
        else { return l.invalidLink(.badRequest) }
        switch signer.verify(
            purpose: "confirm", id: "\(id)", expires: expires, signature: String(signature), now: clock())
        {
        case .forged: return l.invalidLink(.forbidden)
        case .expired:
            return l.page(
                title: l("链接已过期", "Link expired"),
                body: "<p>\(l("链接已过期，请在聊天中回复“确认”。", "This link has expired; reply \"confirm\" in the chat."))</p>",
                status: .gone)
        case .valid: break
        }
        guard var order = try await engine.order(id: id) else { return l.orderNotFound() }
        l = PageLanguage(request, order: order)
        if confirm { order = try await engine.confirmThroughLink(orderID: id) }
        let pay = try await payButton(order, l)
        return l.page(
            title: l("订单 #\(id)", "Order #\(id)"),
            body: HTML(joining: [orderPage(order, signature: String(signature), expires: expires, l), pay]))
    }

    func orderPage(_ order: Order, signature: String, expires: Int64, _ l: PageLanguage) -> HTML {
        let lines =
            order.lines.map { line -> HTML in
                "<li>\(line.name(l.language)) ×\(line.quantity)\(line.note.map { l("（\($0)）", " (\($0))") } ?? "") <span>\(line.total)</span></li>"
            } + (order.note.map { note -> [HTML] in ["<li>\(l("备注：", "Note: "))\(note)</li>"] } ?? [])
        let status: HTML
        switch order.status {
        case .awaitingConfirmation:
            // The shop's rules again (PageRoutes+Totals): a paused shop, a sold-out item… offer no button.
            if let refusal = refusal(order, l) { status = refusal; break }
            // `lang` rides along unsigned: the signature covers the purpose, id and expiry only.
            status = """
                <form method="post" action="\(url: "/confirm/\(order.id)?exp=\(expires)&sig=\(signature)&lang=\(l.language.rawValue)")">
                <button type="submit">\(l("确认下单", "Confirm order"))</button></form>
                """
        case .confirmed:
            let at = order.promisedAt.map(renderer.clockTime) ?? ""
            let later: HTML =
                order.scheduledFor.map { "<br>\(l("开门后制作：", "Made when the shop opens: "))\(renderer.clockTime($0))" }
                ?? .empty
            status = "<p class=\"ok\">\(l("已确认！预计 \(at) 送达。", "Confirmed! Expected at \(at)."))\(later)</p>"
        case .dispatched: status = "<p class=\"ok\">\(l("骑手已出发。", "On its way."))</p>"
        case .delivered: status = "<p class=\"ok\">\(l("已送达。", "Delivered."))</p>"
        case .cancelled:
            let reason: HTML = order.cancelReason.map { reason -> HTML in "<br><small>\(reason)</small>" } ?? .empty
            status = "<p>\(l("订单已取消。", "This order was cancelled."))\(reason)</p>"
        }
        return """
            <h1>\(l("订单", "Order")) #\(order.id)</h1>
            <ul>\(lines)</ul>
            \(Self.totals(order, l))
            <p>\(l("送至：", "To: "))\(order.address.text)<br>\(l("电话：", "Phone: "))\(order.phone.masked)</p>
            \(status)
            """
    }
}
