import DropMateObjectStore
import DropMateStorage
import Foundation
import Hummingbird
import Logging

/// The H5 report page staff open from the WeChat notice: `/reports/DATE?exp=…&sig=…`. Only a signed link opens
/// it (the link is the login). Mobile-first, no JavaScript: the day's figures, the chart as an image, and the
/// files as signed download links.
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
                return HTML.page(title: "Not found", body: "<p>这一天的报表还没有生成。The report of \(date) is not ready yet.</p>", status: .notFound)
            }
            return HTML.page(title: "日报 \(date)", body: try await page(date: date, summary: summary, keys: keys))
        }
    }

    func page(date: String, summary: ReportSummary, keys: ReportFileKeys) async throws -> HTML {
        func row(_ label: HTML, _ value: String) -> HTML { "<tr><th>\(label)</th><td>\(value)</td></tr>" }
        func minutes(_ seconds: Double?) -> String { seconds.map { String(format: "%.1f min", $0 / 60) } ?? "–" }
        func percent(_ rate: Double?) -> String { rate.map { String(format: "%.1f %%", $0 * 100) } ?? "–" }
        var rows = [
            row("下单 <small>Placed</small>", "\(summary.placed)"), row("已确认 <small>Confirmed</small>", "\(summary.confirmed)"),
            row("已送达 <small>Delivered</small>", "\(summary.delivered)"), row("已取消 <small>Cancelled</small>", "\(summary.cancelled)"),
            row("营业额 <small>Revenue</small>", summary.revenueText),
            row("平均送达 <small>Average delivery</small>", minutes(summary.averageDeliverySeconds)),
            row("P90 送达 <small>P90 delivery</small>", minutes(summary.p90DeliverySeconds.map(Double.init))),
            row("准时率 <small>On time</small>", percent(summary.onTimeRate)),
            row("预计误差 <small>ETA error</small>", summary.etaMeanAbsoluteErrorMinutes.map { String(format: "%.1f min", $0) } ?? "–"),
            row("推送成功/失败 <small>Pushes sent/failed</small>", "\(summary.pushesSent) / \(summary.pushesFailed)"),
            row("短信 <small>SMS sent</small>", "\(summary.smsSent)"), row("留言 <small>Board posts</small>", "\(summary.boardPosts)"),
            row("失败任务 <small>Dead jobs</small>", "\(summary.deadJobs)"),
        ]
        // Cancel reasons are typed by dispatchers: text like any other, escaped.
        rows += summary.cancelledByReason.map { row("取消：\($0.reason)", "\($0.count)") }
        var chart = HTML.empty
        do {
            // An image, not inline markup: whatever the stored file holds, an SVG shown through <img> runs no script
            // and loads nothing, and the page's policy allows images only from here and `data:`.
            let svg = try await objects.get(key: keys.chart)
            chart = "<div class=\"chart\"><img alt=\"每小时订单与送达 Orders and deliveries by hour\" src=\"data:image/svg+xml;base64,\(Data(svg).base64EncodedString())\"></div>"
        } catch {
            logger.warning("report chart unavailable", metadata: ["dropmate.report_date": "\(date)", "dropmate.error": "\(error)"])
        }
        func link(_ key: String, _ label: HTML) async throws -> HTML {
            let target = try await objects.downloadURL(key: key, expiresIn: downloadTTL).absoluteString
            return "<li><a href=\"\(url: target)\">\(label)</a></li>"
        }
        var links = [try await link(keys.xlsx, "报表 Workbook (XLSX)")]
        for (name, key) in keys.csv.sorted(by: { $0.key < $1.key }) {
            links.append(try await link(key, "\(name).csv"))
        }
        links.append(try await link(keys.chart, "图表 Chart (SVG)"))
        return """
            <h1>日报 \(date) <small>Daily report</small></h1>
            <table class="figures">\(rows)</table>
            \(chart)
            <h2>下载 <small>Downloads</small></h2>
            <ul>\(links)</ul>
            """
    }
}
