import DropMateCore
import Foundation
import Hummingbird

/// `/console/staff` (admins): the staff accounts, a new account, deactivate and reactivate, through the staff
/// API's `/staff` endpoints (the same password rules, last-admin guard and audit).
extension ConsoleRoutes {
    func addStaffScreens(to router: Router<BasicRequestContext>) {
        router.get("/console/staff") { request, _ in
            try await office(request, roles: StaffAPI.admins) { session in try await staffPage(session) }
        }
    }

    func staffPage(_ session: ConsoleSessions.Session) async throws -> Response {
        let accounts = try await api.staff.accounts()
        let rows = accounts.map { account -> HTML in
            var action: HTML = .empty
            if account.id != session.identity.account.id {
                let verb = account.active ? "deactivate" : "reactivate"
                let label: HTML = account.active ? "停用 Deactivate" : "启用 Reactivate"
                action = """
                    <form class="inline" data-api="/api/v1/staff/\(account.id)/\(verb)" data-next="/console/staff">
                    <button type="submit" class="\(account.active ? "danger" : "secondary")">\(label)</button></form>
                    """
            }
            // An office member's WeChat binding code (they send "绑定 CODE"), as couriers get theirs.
            let code: HTML =
                account.active && account.role != .courier
                ? """
                <form class="inline" data-api="/api/v1/staff/\(account.id)/binding-code" data-show="code" data-output="staff-code-\(account.id)">
                <button type="submit" class="secondary">绑定码 Binding code</button> <output id="staff-code-\(account.id)" class="code"></output></form>
                """ : .empty
            var notices: [String] = []
            if account.notifyOrders { notices.append("新订单 orders") }
            if account.notifyReports { notices.append("日报 reports") }
            return """
                <tr><td>\(account.username)</td><td>\(account.role.rawValue)</td><td>\(account.courierID.map(String.init) ?? "—")</td>
                <td>\(account.active ? "✓" : "停用 Inactive")</td><td>\(account.wechatOpenID == nil ? "—" : "✓")</td><td>\(notices.isEmpty ? "—" : notices.joined(separator: ", "))</td>
                <td>\(code)\(action)</td></tr>
                """
        }
        let body: HTML = """
            <h1>员工账号 Staff accounts</h1>
            <p class="error" id="action-error" role="alert" hidden></p>
            <div class="table-wrap"><table class="list"><thead><tr><th scope="col">用户名 Username</th><th scope="col">角色 Role</th><th scope="col">骑手 Courier</th>
            <th scope="col">启用 Active</th><th scope="col">微信 WeChat</th><th scope="col">通知 Notices</th><th scope="col">操作 Action</th></tr></thead><tbody>\(rows)</tbody></table></div>
            <h2>新账号 New account</h2>
            <form class="action" data-api="/api/v1/staff" data-next="/console/staff">
            <label for="new-username">用户名 Username</label><input id="new-username" name="username" required maxlength="64" autocomplete="off">
            <label for="new-password">初始密码 Initial password</label><input id="new-password" name="password" type="password" required autocomplete="new-password">
            <label for="new-role">角色 Role</label><select id="new-role" name="role"><option value="dispatcher">调度 dispatcher</option><option value="admin">管理员 admin</option><option value="courier">骑手 courier</option></select>
            <label for="new-courier">骑手编号（仅骑手账号） Courier id (courier accounts only)</label><input id="new-courier" name="courier_id" inputmode="numeric" data-number>
            <button type="submit">创建 Create</button></form>
            """
        return ConsolePage.page(title: "员工账号 Staff · DropMate", csrf: session.csrf, header: header(session), body: body)
    }
}
