import DropMateCore
import Hummingbird

/// The small H5 pages opened from chat: the signed confirmation page, the ad page, tracking and the board.
struct PageRoutes: Sendable {
    let engine: ConversationEngine
    let signer: LinkSigner
    let renderer: ReplyRenderer
    let clock: @Sendable () -> Int64

    func add(to router: Router<BasicRequestContext>) {
        addTrackingAndBoard(to: router)
        router.get("/confirm/:id") { request, context in try await confirmation(request, context: context, confirm: false) }
        router.post("/confirm/:id") { request, context in try await confirmation(request, context: context, confirm: true) }
        router.get("/ads/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let item = engine.catalog.item(id: id) else { return HTML.page(title: "Not found", body: "<p>这个菜品已下架。This item is no longer offered.</p>", status: .notFound) }
            let merchant = engine.catalog.merchant(id: item.merchantID)
            return HTML.page(title: item.name.zh, body: """
                <h1>\(HTML.escape(item.name.zh)) <small>\(HTML.escape(item.name.en))</small></h1>
                <p class="price">\(item.price)</p>
                <p>\(HTML.escape(item.description.zh))<br>\(HTML.escape(item.description.en))</p>
                <p>\(HTML.escape(merchant?.name.zh ?? "")) · \(HTML.escape(merchant?.name.en ?? ""))</p>
                <p>在公众号里回复“1 份\(HTML.escape(item.name.zh))”即可下单。<br>Reply "order 1 \(HTML.escape(item.name.en))" in the chat to order.</p>
                """)
        }
    }

    func confirmation(_ request: Request, context: BasicRequestContext, confirm: Bool) async throws -> Response {
        guard let id = context.parameters.get("id", as: Int64.self),
              let expires = request.uri.queryParameters.get("exp", as: Int64.self),
              let signature = request.uri.queryParameters.get("sig")
        else { return HTML.page(title: "Invalid link", body: "<p>链接无效。This link is not valid.</p>", status: .badRequest) }
        switch signer.verify(purpose: "confirm", id: "\(id)", expires: expires, signature: String(signature), now: clock()) {
        case .forged: return HTML.page(title: "Invalid link", body: "<p>链接无效。This link is not valid.</p>", status: .forbidden)
        case .expired: return HTML.page(title: "Link expired", body: "<p>链接已过期，请在聊天中回复“确认”。<br>This link has expired; reply \"confirm\" in the chat.</p>", status: .gone)
        case .valid: break
        }
        guard var order = try await engine.order(id: id) else {
            return HTML.page(title: "Not found", body: "<p>没有找到这个订单。Order not found.</p>", status: .notFound)
        }
        if confirm { order = try await engine.confirmThroughLink(orderID: id) }
        return HTML.page(title: "订单 #\(id)", body: orderPage(order, signature: String(signature), expires: expires))
    }

    func orderPage(_ order: Order, signature: String, expires: Int64) -> String {
        let lines = order.lines.map { "<li>\(HTML.escape($0.name.zh)) / \(HTML.escape($0.name.en)) ×\($0.quantity) <span>\($0.total)</span></li>" }.joined()
        var html = """
            <h1>订单 #\(order.id) <small>Order #\(order.id)</small></h1>
            <ul>\(lines)</ul>
            <p class="price">合计 Total \(order.total)</p>
            <p>送至 To: \(HTML.escape(order.address.text))<br>电话 Phone: \(order.phone.masked)</p>
            """
        switch order.status {
        case .awaitingConfirmation:
            html += """
                <form method="post" action="/confirm/\(order.id)?exp=\(expires)&amp;sig=\(signature)">
                <button type="submit">确认下单 Confirm order</button></form>
                """
        case .confirmed:
            html += "<p class=\"ok\">已确认！预计 \(order.promisedAt.map(renderer.clockTime) ?? "") 送达。<br>Confirmed! Expected at \(order.promisedAt.map(renderer.clockTime) ?? "").</p>"
        case .dispatched: html += "<p class=\"ok\">骑手已出发。On its way.</p>"
        case .delivered: html += "<p class=\"ok\">已送达。Delivered.</p>"
        case .cancelled: html += "<p>订单已取消。This order was cancelled.</p>"
        }
        return html
    }
}

/// Minimal, mobile-first HTML with no JavaScript.
enum HTML {
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    static func page(title: String, body: String, status: HTTPResponse.Status = .ok) -> Response {
        let html = """
            <!doctype html><html lang="zh"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style>body{font-family:-apple-system,"PingFang SC",sans-serif;max-width:32rem;margin:1rem auto;padding:0 1rem;line-height:1.5}
            .price{font-size:1.3rem;color:#d4380d}button{width:100%;padding:.8rem;font-size:1.1rem;background:#07c160;color:#fff;border:0;border-radius:.4rem}
            .ok{color:#07c160}small{color:#888}ul{padding-left:1.2rem}.board li{margin:.4rem 0;word-break:break-word}</style></head>
            <body>\(body)</body></html>
            """
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
