import DropMateCore
import Foundation
import Hummingbird

/// `/console/me`: a staff member's own WeChat for notices. A one-time binding code (sent in chat as "绑定 CODE",
/// the courier codes' rules), which notices they get there (new orders, daily reports), and unbinding, all
/// through the staff API's `/staff/{id}/…` endpoints (audited; a dispatcher can reach only their own).
extension ConsoleRoutes {
    func addMeScreens(to router: Router<BasicRequestContext>) {
        router.get("/console/me") { request, _ in try await office(request) { session in try await mePage(session) } }
    }

    func mePage(_ session: ConsoleSessions.Session) async throws -> Response {
        guard let account = try await api.staff.account(id: session.identity.account.id) else {
            return ConsolePage.message("没有这个账号 No such account", "", status: .notFound)
        }
        let id = account.id
        let pending = try await api.staff.bindingCodeExpiry(staffID: id, now: clock())
        let bound: HTML =
            account.wechatOpenID == nil
            ? "<p><span class=\"state paused\">未绑定 Not bound</span> 通知不会发到微信 No notices reach WeChat yet.</p>"
            : """
            <p><span class="state ok">已绑定 Bound</span> 订阅的通知会发到这个微信 Subscribed notices go to this WeChat.</p>
            <form class="inline" data-api="/api/v1/staff/\(id)/wechat" data-method="DELETE" data-next="/console/me">
            <button type="submit" class="danger">解除绑定 Unbind WeChat</button></form>
            """
        let body: HTML = """
            <h1>我的微信通知 My WeChat notices</h1>
            <p class="error" id="action-error" role="alert" hidden></p>
            <section class="task"><h2>微信绑定 WeChat binding</h2>
            \(bound)
            <form class="action" data-api="/api/v1/staff/\(id)/binding-code" data-show="code" data-output="my-code">
            <p>获取一次性绑定码，30 分钟内在公众号发送“绑定 绑定码”。 Get a one-time code, then send “绑定 CODE” to the Official Account within 30 minutes.</p>
            \(pending.map { at -> HTML in "<p class=\"meta\">已有绑定码，有效至 \(renderer.clockTime(at))；新码会让旧码失效 A code is outstanding until \(renderer.clockTime(at)); a new one replaces it.</p>" } ?? .empty)
            <button type="submit" class="secondary">获取绑定码 Get a binding code</button>
            <p>绑定码 Code: <output id="my-code" class="code" aria-live="polite"></output></p></form></section>
            <section class="task"><h2>订阅 Subscriptions</h2>
            <form class="action" data-json-api="/api/v1/staff/\(id)/subscriptions" data-method="PUT" data-next="/console/me">
            <p><input type="checkbox" id="notify-orders" name="notify_orders" data-kind="bool"\(account.notifyOrders ? " checked" as HTML : .empty)>
            <label for="notify-orders" class="inline-label">新订单 New orders（确认或付款后推送 pushed once confirmed, or paid when payment is required）</label></p>
            <p><input type="checkbox" id="notify-reports" name="notify_reports" data-kind="bool"\(account.notifyReports ? " checked" as HTML : .empty)>
            <label for="notify-reports" class="inline-label">日报 Daily reports</label></p>
            <button type="submit">保存 Save</button></form></section>
            <p class="meta">在看板页面，新订单会响铃并在标题显示数量（先点“开启提示音”）。 On the board, new orders ring and count in the tab title (click “Enable sound” first).</p>
            """
        return ConsolePage.page(title: "我的 Me · DropMate", csrf: session.csrf, header: header(session), body: body)
    }
}
