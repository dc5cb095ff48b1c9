import DropMateCore
import DropMateStorage
import Foundation
import Hummingbird

/// `/console/reports`: the daily reports built so far with their figures, the signed links to each report's page and
/// workbook (valid an hour, like the API's), and building today's so far (`POST /api/v1/reports`).
extension ConsoleRoutes {
    func addReportScreens(to router: Router<BasicRequestContext>) {
        router.get("/console/reports") { request, _ in
            try await office(request) { session in try await reportsPage(session) }
        }
    }

    func reportsPage(_ session: ConsoleSessions.Session) async throws -> Response {
        let access = api.reportAccess
        let records = try await api.reads.reports(from: nil, to: nil, limit: 30)
        let expires = clock() + access.linkTTL.components.seconds
        var rows: [HTML] = []
        for record in records {
            let summary = try JSONColumn.decode(ReportSummary.self, from: record.summary)
            let keys = try JSONColumn.decode(ReportFileKeys.self, from: record.files)
            let workbook = try await api.images.downloadURL(key: keys.xlsx, expiresIn: access.linkTTL).absoluteString
            let page = access.links.page(date: record.date, expires: expires)
            rows.append(
                """
                <tr><td>\(record.date)</td><td>\(summary.placed)</td><td>\(summary.delivered)</td><td>\(summary.cancelled)</td>
                <td>\(Money(fen: summary.revenueFen))</td><td><a href="\(url: page)">报表 Report</a> · <a href="\(url: workbook)">Excel</a></td></tr>
                """)
        }
        let body: HTML = """
            <h1>日报 Daily reports</h1>
            <p class="error" id="action-error" role="alert" hidden></p>
            <form class="action inline" data-api="/api/v1/reports" data-next="/console/reports"><button type="submit" class="secondary">生成今日报表 Build today's so far</button></form>
            \(rows.isEmpty ? "<p class=\"empty\">还没有报表 No reports yet</p>" as HTML : """
                <div class="table-wrap"><table class="list"><thead><tr><th scope="col">日期 Date</th><th scope="col">下单 Placed</th><th scope="col">送达 Delivered</th>
                <th scope="col">取消 Cancelled</th><th scope="col">营业额 Revenue</th><th scope="col">下载 Files</th></tr></thead><tbody>\(rows)</tbody></table></div>
                """)
            """
        return ConsolePage.page(title: "日报 Reports · DropMate", csrf: session.csrf, header: header(session), body: body)
    }
}
