import DropMateCore
import DropMateEngine
import Foundation
import HTTPTypes
import Hummingbird

/// `/courier`: the phone page for couriers. Opened from a link carrying the courier's app token, which is traded at
/// once for a session cookie (a fresh random token; the app token never becomes the cookie) before the page moves to
/// `/courier`, whose URL carries nothing secret. It lists the courier's current deliveries with "取件 Picked up" and
/// "送达 Delivered", and while on duty posts the browser's position every 30 s to `/api/v1/courier/position`.
/// Delivered and position go through the staff API's own endpoints; picked up (which the REST API lacks) runs the
/// same engine command as the courier's "取件" in chat, checked to be their delivery under the customer's lock.
extension ConsoleRoutes {
    func addCourierApp(to router: Router<BasicRequestContext>) {
        router.get("/courier/login") { request, _ in
            guard let token = request.uri.queryParameters.get("token"), token.hasPrefix("dmc_"), token.count <= 200,
                let courier = try await api.couriers.courier(apiToken: token), courier.active
            else {
                return ConsolePage.message(
                    "链接无效 Invalid link", "请向管理员索取新的链接。Ask an admin for a new link.", status: .unauthorized)
            }
            let session = try await sessions.start(courierID: courier.id)
            // A page rather than a redirect: a `SameSite=Strict` cookie set while following a link from chat would not
            // be sent on a redirect of that same navigation; this page's own move to /courier is same-site.
            let body: HTML = """
                <meta http-equiv="refresh" content="0; url=/courier">
                <section class="message"><h1>已登录 Signed in</h1><p><a href="/courier">打开我的配送 Open my deliveries</a></p></section>
                """
            return ConsolePage.page(
                title: "DropMate 骑手 Courier", csrf: nil, body: body,
                extraHeaders: [.setCookie: sessions.sessionCookie(session)])
        }
        router.get("/courier") { request, _ in
            try await courier(request) { session, courier in try await courierPage(session, courier: courier) }
        }
        router.post("/courier/orders/:id/pickup") { request, context in
            try await courier(request, api: true) { session, courier in
                guard let presented = request.headers[.csrfToken], ConsoleSessions.matches(presented, session.csrf)
                else { return Response(status: .forbidden) }
                guard let id = context.parameters.get("id", as: Int64.self) else { return Response(status: .notFound) }
                do {
                    _ = try await api.engine.apply(
                        .pickUp, toOrder: id, check: ConversationEngine.assigned(to: courier.id, orderID: id))
                    return Response(status: .noContent)
                } catch EngineError.notTheCourier, EngineError.orderNotFound {
                    return Response(status: .forbidden)
                } catch let error as EngineError {
                    return StaffAPI.apiError(error, orderID: id).response
                }
            }
        }
    }

    /// Runs `body` for a signed-in courier whose courier record is active.
    func courier(
        _ request: Request, api isAPI: Bool = false, _ body: (ConsoleSessions.Session, Courier) async throws -> Response
    ) async throws -> Response {
        guard let session = try await sessions.session(request) else {
            if isAPI { return Response(status: .unauthorized) }
            return ConsolePage.message(
                "请先登录 Please sign in", "请用管理员发给你的链接打开本页。Open this page from the link an admin gave you.",
                status: .unauthorized)
        }
        guard session.identity.account.role == .courier, let id = session.identity.account.courierID,
            let courier = try await api.couriers.courier(id: id), courier.active
        else {
            if isAPI { return Response(status: .forbidden) }
            return ConsolePage.message(
                "不是骑手账号 Not a courier", "这个页面只给骑手用。This page is for couriers.", status: .forbidden)
        }
        return try await body(session, courier)
    }

    func courierPage(_ session: ConsoleSessions.Session, courier: Courier) async throws -> Response {
        let deliveries = try await api.store.deliveries(courierID: courier.id)
        let reader = session.identity.phoneReader
        let tasks = deliveries.map { order -> HTML in
            let merchant = api.engine.catalog.merchant(id: order.merchantID)
            let items = order.lines.map { line -> HTML in
                "<li>\(line.name.zh) ×\(line.quantity)\(line.note.map { note -> HTML in " <em class=\"note\">（\(note)）</em>" } ?? .empty)</li>"
            }
            let phone = order.phone(shownTo: reader)
            let call: HTML =
                order.showsWholePhone(to: reader)
                ? "<a class=\"call\" href=\"tel:\(phone)\">拨打 Call \(phone)</a>" : "<span>\(phone)</span>"
            let pickUp: HTML =
                order.pickedUpAt == nil
                ? "<form class=\"action\" data-api=\"/courier/orders/\(order.id)/pickup\" data-next=\"/courier\"><button type=\"submit\">取件 Picked up</button></form>"
                : "<p class=\"ok\">已取件 Picked up \(renderer.clockTime(order.pickedUpAt ?? 0))</p>"
            return """
                <article class="task" id="task-\(order.id)">
                <h2>#\(order.id) <small>\(merchant?.name.zh ?? order.merchantID)</small></h2>
                <p class="addr">\(order.address.text)</p>
                <ul class="items">\(items)</ul>
                \(order.note.map { note -> HTML in "<p class=\"note\">备注 Note: \(note)</p>" } ?? .empty)
                <p>\(call)</p>
                <p>预计 ETA \((order.latestETA ?? order.promisedAt).map(renderer.clockTime) ?? "—")</p>
                <div class="task-actions">\(pickUp)
                <form class="action" data-api="/api/v1/orders/\(order.id)/deliver" data-next="/courier"><button type="submit">送达 Delivered</button></form></div>
                </article>
                """
        }
        let body: HTML = """
            <h1>我的配送 My deliveries</h1>
            <p class="duty"><label><input type="checkbox" id="on-duty"> 上班中（每 30 秒共享位置） On duty (shares my position every 30 s)</label>
            <span id="duty-status" aria-live="polite"></span></p>
            <p class="error" id="action-error" role="alert" hidden></p>
            \(tasks.isEmpty ? "<p class=\"empty\">暂无配送 No deliveries right now</p>" as HTML : HTML(joining: tasks))
            """
        let header: HTML = """
            <header class="bar"><strong>DropMate 骑手 Courier</strong><span class="who">\(courier.name)</span>
            <form method="post" action="/console/signout" class="signout"><input type="hidden" name="csrf" value="\(session.csrf)">
            <button type="submit">退出 Sign out</button></form></header>
            """
        return ConsolePage.page(title: "我的配送 My deliveries · DropMate", csrf: session.csrf, header: header, body: body)
    }
}
