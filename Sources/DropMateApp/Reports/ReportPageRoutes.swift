import DropMateObjectStore
import DropMateStorage
import Foundation
import Hummingbird
import Logging

/// The H5 report page staff open from the WeChat notice: `/reports/DATE?exp=…&sig=…`. Only a signed link opens
/// it (the link is the login). Mobile-first, no JavaScript: the day's figures, the chart inline, and the files
/// as signed download links.
struct ReportPageRoutes: Sendable {
    let reports: SQLReportStore
    let objects: any ObjectStore
    let signer: LinkSigner
    let clock: @Sendable () -> Int64
    let logger: Logger
    /// How long the page's download links work.
    var downloadTTL: Duration = .seconds(3600)

    func add(to router: Router<BasicRequestContext>) {
        router.get("/reports/:date") { request, context in
            let date = context.parameters.get("date") ?? ""
            guard let expires = request.uri.queryParameters.get("exp", as: Int64.self), let signature = request.uri.queryParameters.get("sig") else {
                return HTML.page(title: "Invalid link", body: "<p>链接无效。This link is not valid.</p>", status: .badRequest)
            }
            switch signer.verify(purpose: ReportLinks.purpose, id: date, expires: expires, signature: String(signature), now: clock()) {
            case .forged: return HTML.page(title: "Invalid link", body: "<p>链接无效。This link is not valid.</p>", status: .forbidden)
            case .expired: return HTML.page(title: "Link expired", body: "<p>链接已过期，请在后台查看报表。<br>This link has expired; find the report in the staff API.</p>", status: .gone)
            case .valid: break
            }
            guard let record = try await reports.report(date: date),
                  let summary = try? JSONColumn.decode(ReportSummary.self, from: record.summary),
                  let keys = try? JSONColumn.decode(ReportFileKeys.self, from: record.files) else {
                return HTML.page(title: "Not found", body: "<p>这一天的报表还没有生成。The report of \(HTML.escape(date)) is not ready yet.</p>", status: .notFound)
            }
            return HTML.page(title: "日报 \(date)", body: try await page(date: date, summary: summary, keys: keys))
        }
    }

    func page(date: String, summary: ReportSummary, keys: ReportFileKeys) async throws -> String {
        func row(_ zh: String, _ en: String, _ value: String) -> String { "<tr><th>\(zh) <small>\(en)</small></th><td>\(HTML.escape(value))</td></tr>" }
        func minutes(_ seconds: Double?) -> String { seconds.map { String(format: "%.1f min", $0 / 60) } ?? "–" }
        func percent(_ rate: Double?) -> String { rate.map { String(format: "%.1f %%", $0 * 100) } ?? "–" }
        var rows = [
            row("下单", "Placed", "\(summary.placed)"), row("已确认", "Confirmed", "\(summary.confirmed)"),
            row("已送达", "Delivered", "\(summary.delivered)"), row("已取消", "Cancelled", "\(summary.cancelled)"),
            row("营业额", "Revenue", summary.revenueText),
            row("平均送达", "Average delivery", minutes(summary.averageDeliverySeconds)),
            row("P90 送达", "P90 delivery", minutes(summary.p90DeliverySeconds.map(Double.init))),
            row("准时率", "On time", percent(summary.onTimeRate)),
            row("预计误差", "ETA error", summary.etaMeanAbsoluteErrorMinutes.map { String(format: "%.1f min", $0) } ?? "–"),
            row("推送成功/失败", "Pushes sent/failed", "\(summary.pushesSent) / \(summary.pushesFailed)"),
            row("短信", "SMS sent", "\(summary.smsSent)"), row("留言", "Board posts", "\(summary.boardPosts)"),
            row("失败任务", "Dead jobs", "\(summary.deadJobs)"),
        ]
        rows += summary.cancelledByReason.map { row("取消：\($0.reason)", "", "\($0.count)") }
        var chart = ""
        do {
            let svg = String(decoding: try await objects.get(key: keys.chart), as: UTF8.self)
            // Our own chart (numbers and escaped text, no script): inline it, from the <svg> element on.
            if let start = svg.range(of: "<svg") { chart = "<div class=\"chart\">\(svg[start.lowerBound...])</div>" }
        } catch {
            logger.warning("report chart unavailable", metadata: ["dropmate.report_date": "\(date)", "dropmate.error": "\(error)"])
        }
        var links = ["<li><a href=\"\(HTML.escape(try await objects.downloadURL(key: keys.xlsx, expiresIn: downloadTTL).absoluteString))\">报表 Workbook (XLSX)</a></li>"]
        for (name, key) in keys.csv.sorted(by: { $0.key < $1.key }) {
            links.append("<li><a href=\"\(HTML.escape(try await objects.downloadURL(key: key, expiresIn: downloadTTL).absoluteString))\">\(HTML.escape(name)).csv</a></li>")
        }
        links.append("<li><a href=\"\(HTML.escape(try await objects.downloadURL(key: keys.chart, expiresIn: downloadTTL).absoluteString))\">图表 Chart (SVG)</a></li>")
        return """
            <h1>日报 \(HTML.escape(date)) <small>Daily report</small></h1>
            <table class="figures">\(rows.joined())</table>
            \(chart)
            <h2>下载 <small>Downloads</small></h2>
            <ul>\(links.joined())</ul>
            <style>.figures{width:100%;border-collapse:collapse}.figures th{text-align:left;font-weight:normal}.figures td{text-align:right}
            .figures tr{border-bottom:1px solid #eee}.chart svg{max-width:100%;height:auto}</style>
            """
    }
}
