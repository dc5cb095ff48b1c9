import DropMateEngine
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
            // One language: `?lang`, else the browser's `Accept-Language` (PageLanguage).
            let l = PageLanguage(request)
            let date = context.parameters.get("date") ?? ""
            guard let expires = request.uri.queryParameters.get("exp", as: Int64.self),
                let signature = request.uri.queryParameters.get("sig")
            else {
                return l.invalidLink(.badRequest)
            }
            switch signer.verify(
                purpose: ReportLinks.purpose, id: date, expires: expires, signature: String(signature), now: clock())
            {
            case .forged: return l.invalidLink(.forbidden)
            case .expired:
                return l.page(
                    title: l("链接已过期", "Link expired"),
                    body: "<p>\(l("链接已过期，请在后台查看报表。", "This link has expired; find the report in the staff API."))</p>",
                    status: .gone)
            case .valid: break
            }
            guard let record = try await reports.report(date: date),
                let summary = try? JSONColumn.decode(ReportSummary.self, from: record.summary),
                let keys = try? JSONColumn.decode(ReportFileKeys.self, from: record.files)
            else {
                return l.page(
                    title: l("没有找到", "Not found"),
                    body: "<p>\(l("\(date) 的报表还没有生成。", "The report of \(date) is not ready yet."))</p>",
                    status: .notFound)
            }
            return l.page(
                title: l("日报 \(date)", "Daily report \(date)"),
                body: try await page(date: date, summary: summary, keys: keys, l))
        }
    }

    func page(date: String, summary: ReportSummary, keys: ReportFileKeys, _ l: PageLanguage) async throws -> HTML {
        func row(_ label: String, _ value: String) -> HTML { "<tr><th>\(label)</th><td>\(value)</td></tr>" }
        func minutes(_ seconds: Double?) -> String { seconds.map { String(format: "%.1f min", $0 / 60) } ?? "–" }
        func percent(_ rate: Double?) -> String { rate.map { String(format: "%.1f %%", $0 * 100) } ?? "–" }
        var rows = [
            row(l("下单", "Placed"), "\(summary.placed)"), row(l("已确认", "Confirmed"), "\(summary.confirmed)"),
            row(l("已送达", "Delivered"), "\(summary.delivered)"), row(l("已取消", "Cancelled"), "\(summary.cancelled)"),
            row(l("营业额", "Revenue"), summary.revenueText),
            row(l("平均送达", "Average delivery"), minutes(summary.averageDeliverySeconds)),
            row(l("P90 送达", "P90 delivery"), minutes(summary.p90DeliverySeconds.map(Double.init))),
            row(l("准时率", "On time"), percent(summary.onTimeRate)),
            row(
                l("预计误差", "ETA error"),
                summary.etaMeanAbsoluteErrorMinutes.map { String(format: "%.1f min", $0) } ?? "–"),
            row(l("推送成功/失败", "Pushes sent/failed"), "\(summary.pushesSent) / \(summary.pushesFailed)"),
            row(l("短信", "SMS sent"), "\(summary.smsSent)"), row(l("留言", "Board posts"), "\(summary.boardPosts)"),
            row(l("失败任务", "Dead jobs"), "\(summary.deadJobs)"),
        ]
        // Cancel reasons are typed by dispatchers: text like any other, escaped.
        rows += summary.cancelledByReason.map { row(l("取消：", "Cancelled: ") + $0.reason, "\($0.count)") }
        var chart = HTML.empty
        do {
            // An image, not inline markup: whatever the stored file holds, an SVG shown through <img> runs no script
            // and loads nothing, and the page's policy allows images only from here and `data:`.
            let svg = try await objects.get(key: keys.chart)
            chart =
                "<div class=\"chart\"><img alt=\"\(l("每小时订单与送达", "Orders and deliveries by hour"))\" src=\"data:image/svg+xml;base64,\(Data(svg).base64EncodedString())\"></div>"
        } catch {
            logger.warning(
                "report chart unavailable", metadata: ["dropmate.report_date": "\(date)", "dropmate.error": "\(error)"])
        }
        func link(_ key: String, _ label: HTML) async throws -> HTML {
            let target = try await objects.downloadURL(key: key, expiresIn: downloadTTL).absoluteString
            return "<li><a href=\"\(url: target)\">\(label)</a></li>"
        }
        var links = [try await link(keys.xlsx, "\(l("报表 (XLSX)", "Workbook (XLSX)"))")]
        for (name, key) in keys.csv.sorted(by: { $0.key < $1.key }) {
            links.append(try await link(key, "\(name).csv"))
        }
        links.append(try await link(keys.chart, "\(l("图表 (SVG)", "Chart (SVG)"))"))
        return """
            <h1>\(l("日报 \(date)", "Daily report \(date)"))</h1>
            <table class="figures">\(rows)</table>
            \(chart)
            <h2>\(l("下载", "Downloads"))</h2>
            <ul>\(links)</ul>
            """
    }
}
