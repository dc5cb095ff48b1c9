import DropMateCore
import Foundation
import Hummingbird

/// The message board's moderation (reply, hide, remove), dead jobs (retry) and the audit log (admins). Reads come
/// from the same stores as the staff API; every action posts to the API's own endpoint (audited, idempotent).
extension ConsoleRoutes {
    func addAdminScreens(to router: Router<BasicRequestContext>) {
        router.get("/console/board") { request, _ in
            try await office(request) { session in try await boardPage(session) }
        }
        router.get("/console/jobs") { request, _ in try await office(request) { session in try await jobsPage(session) }
        }
        router.get("/console/audit") { request, _ in
            try await office(request, roles: StaffAPI.admins) { session in try await auditPage(session) }
        }
    }

    func boardPage(_ session: ConsoleSessions.Session) async throws -> Response {
        let posts = try await api.reads.boardPosts(state: nil, orderID: nil, limit: 100, offset: 0)
        let holds = try await api.store.boardHoldsPosts()
        let rows = posts.map { post -> HTML in
            let id = post.post.id
            let state = post.moderation ?? "visible"
            let stateText: HTML =
                switch state {
                case "held": "待审核 Awaiting review"
                case "hidden": "已隐藏 Hidden"
                case "removed": "已删除 Removed"
                case "rejected": "未通过 Rejected"
                default: "公开 Visible"
                }
            var actions: [HTML] = []
            if state == "held" {
                actions.append(
                    """
                    <form class="action" data-api="/api/v1/board/posts/\(id)/approve" data-next="/console/board">
                    <button type="submit">通过 Approve</button></form>
                    <form class="action" data-api="/api/v1/board/posts/\(id)/reject" data-next="/console/board">
                    <label for="reject-\(id)">不通过原因 Reason to reject</label><input id="reject-\(id)" name="reason" required maxlength="200">
                    <button type="submit" class="danger">不通过 Reject</button></form>
                    """)
            }
            actions.append(
                """
                <form class="action" data-api="/api/v1/board/posts/\(id)/replies" data-next="/console/board">
                <label for="reply-\(id)">回复 Reply</label><input id="reply-\(id)" name="body" required maxlength="500">
                <button type="submit" class="secondary">回复 Reply</button></form>
                """)
            if state == "visible" {
                actions.append(
                    """
                    <form class="action" data-api="/api/v1/board/posts/\(id)/hide" data-next="/console/board">
                    <label for="hide-\(id)">隐藏原因 Reason to hide</label><input id="hide-\(id)" name="reason" required maxlength="200">
                    <button type="submit" class="danger">隐藏 Hide</button></form>
                    """)
            }
            return """
                <article class="task post" id="post-\(id)" data-state="\(state)"><p class="meta"><time>\(renderer.dateTime(post.post.createdAt))</time> · \(stateText)\(post.post.orderID.map { order -> HTML in " · <a href=\"/console/orders/\(order)\">#\(order)</a>" } ?? .empty)\(post.reason.map { reason -> HTML in " · \(reason)" } ?? .empty)</p>
                <p class="body">\(post.post.body)</p>
                <details><summary>处理 Moderate</summary>\(actions)</details></article>
                """
        }
        let body: HTML = """
            <h1>留言板 Message board</h1>
            <form class="action" id="board-settings" data-api="/api/v1/board/settings" data-method="PUT" data-next="/console/board">
            <p>\(holds ? "公开留言先审核，通过后才显示。Public posts wait for review." as HTML : "公开留言直接显示。Public posts show at once." as HTML)</p>
            <input type="hidden" name="hold_posts" value="\(holds ? "false" : "true")" data-bool>
            <button type="submit" class="secondary">\(holds ? "直接显示 Publish posts at once" as HTML : "先审核 Hold posts for review" as HTML)</button></form>
            <p class="error" id="action-error" role="alert" hidden></p>
            \(rows.isEmpty ? "<p class=\"empty\">暂无留言 No posts</p>" as HTML : HTML(joining: rows))
            """
        return ConsolePage.page(title: "留言板 Board · DropMate", csrf: session.csrf, header: header(session), body: body)
    }

    func jobsPage(_ session: ConsoleSessions.Session) async throws -> Response {
        let jobs = try await api.queue.deadJobs(limit: 100)
        let rows = jobs.map { job -> HTML in
            """
            <tr><td>\(job.id)</td><td>\(job.kind)</td><td>\(job.attempts)/\(job.maxAttempts)</td><td class="error-text">\(job.lastError ?? "—")</td>
            <td><form class="inline" data-api="/api/v1/jobs/\(job.id)/retry" data-next="/console/jobs"><button type="submit" class="secondary">重试 Retry</button></form></td></tr>
            """
        }
        let body: HTML = """
            <h1>失败任务 Dead jobs</h1>
            <p class="error" id="action-error" role="alert" hidden></p>
            \(rows.isEmpty ? "<p class=\"empty\">没有失败的任务 No dead jobs</p>" as HTML : """
                <div class="table-wrap"><table class="list"><thead><tr><th scope="col">#</th><th scope="col">类型 Kind</th><th scope="col">尝试 Attempts</th>
                <th scope="col">最后错误 Last error</th><th scope="col">操作 Action</th></tr></thead><tbody>\(rows)</tbody></table></div>
                """)
            """
        return ConsolePage.page(
            title: "失败任务 Dead jobs · DropMate", csrf: session.csrf, header: header(session), body: body)
    }

    func auditPage(_ session: ConsoleSessions.Session) async throws -> Response {
        let entries = try await api.reads.audit(limit: 100, beforeID: nil)
        let rows = entries.map { item -> HTML in
            let entry = item.entry
            return
                "<tr><td>\(renderer.clockTime(entry.at))</td><td>\(entry.actor) (\(entry.role))</td><td>\(entry.action)</td><td>\(entry.target)</td><td>\(entry.before ?? "")</td><td>\(entry.after ?? "")</td></tr>"
        }
        let body: HTML = """
            <h1>审计日志 Audit log</h1>
            <div class="table-wrap"><table class="list"><thead><tr><th scope="col">时间 Time</th><th scope="col">谁 Who</th><th scope="col">操作 Action</th>
            <th scope="col">对象 Target</th><th scope="col">之前 Before</th><th scope="col">之后 After</th></tr></thead><tbody>\(rows)</tbody></table></div>
            """
        return ConsolePage.page(
            title: "审计日志 Audit log · DropMate", csrf: session.csrf, header: header(session), body: body)
    }
}
