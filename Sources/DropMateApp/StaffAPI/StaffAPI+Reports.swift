import DropMateCore
import DropMateObjectStore
import DropMateReports
import DropMateStorage
import Foundation

/// What the report endpoints need beyond the rest of the API.
struct ReportAccess: Sendable {
    var store: SQLReportStore
    var settings: ReportSettings
    var links: ReportLinks
    /// How long download and page links handed out by the API work.
    var linkTTL: Duration = .seconds(3600)
}

/// `/reports`: the daily reports recorded so far, one with signed download links, and building one now.
extension StaffAPI {
    struct ReportListItem: Encodable {
        var date: String
        var builtAt: String?
        var summary: ReportSummary
    }

    struct ReportFilesView: Encodable {
        var xlsx: String
        var chart: String
        /// Section → signed URL.
        var csv: [String: String]
    }

    struct ReportView: Encodable {
        var date: String
        var builtAt: String?
        var summary: ReportSummary
        var files: ReportFilesView
        /// The H5 page, signed like the WeChat notice's link.
        var pageUrl: String
        var linksExpireAt: String?
    }

    struct BuildRequest: Decodable {
        var date: String?
        var force: Bool?
    }

    struct BuildQueued: Encodable {
        var queued: Bool
        var date: String
        var force: Bool
    }

    func addReportRoutes(_ api: APIRouter) {
        let access = reportAccess
        api.on(
            .get, "/reports", roles: Self.office,
            doc: APIDoc(
                "Daily reports recorded so far, newest first, optionally between two business days.",
                query: [
                    .query("from", ["type": "string", "format": "date"]),
                    .query("to", ["type": "string", "format": "date"]),
                    .perPage,
                ],
                answer: .ok("Reports: date, built_at, summary.", "Items"))
        ) { call in
            let from = try call.query("from").map { try Self.reportDate($0, access: access, field: "from") }
            let to = try call.query("to").map { try Self.reportDate($0, access: access, field: "to") }
            let limit = try Self.paging(call).perPage
            let records = try await reads.reports(from: from, to: to, limit: limit)
            return try .json([
                "items": try records.map {
                    ReportListItem(
                        date: $0.date, builtAt: APIJSON.time($0.builtAt, utcOffset: utcOffset),
                        summary: try JSONColumn.decode(ReportSummary.self, from: $0.summary))
                }
            ])
        }
        api.on(
            .get, "/reports/:date", roles: Self.office,
            doc: APIDoc(
                "One day's report with its summary and signed download URLs for the XLSX, CSVs and chart.",
                answer: .ok("The report.", "Report"),
                errors: [404])
        ) { call in
            let date = try Self.reportDate(call.stringParameter("date"), access: access, field: "date")
            guard let record = try await access.store.report(date: date) else {
                throw APIError.notFound("the report of \(date)")
            }
            let keys = try JSONColumn.decode(ReportFileKeys.self, from: record.files)
            func url(_ key: String) async throws -> String {
                try await images.downloadURL(key: key, expiresIn: access.linkTTL).absoluteString
            }
            var csv: [String: String] = [:]
            for (name, key) in keys.csv { csv[name] = try await url(key) }
            let expires = clock() + access.linkTTL.components.seconds
            return try .json(
                ReportView(
                    date: date, builtAt: APIJSON.time(record.builtAt, utcOffset: utcOffset),
                    summary: try JSONColumn.decode(ReportSummary.self, from: record.summary),
                    files: ReportFilesView(xlsx: try await url(keys.xlsx), chart: try await url(keys.chart), csv: csv),
                    pageUrl: access.links.page(date: date, expires: expires),
                    linksExpireAt: APIJSON.time(expires, utcOffset: utcOffset)))
        }
        api.on(
            .post, "/reports", roles: Self.office, idempotent: true, maxBody: 1024,
            doc: APIDoc(
                "Queue a build of one day's report now (queuing a date twice builds it once unless forced).",
                body: .json("ReportBuild", required: false),
                answer: .accepted("Queued."))
        ) { call in
            let body =
                call.body.readableBytes == 0 ? BuildRequest() : try APIJSON.decode(BuildRequest.self, from: call.body)
            let now = clock()
            let request: DailyReportJob
            do {
                request = try DailyReportJob.make(
                    date: body.date, force: body.force ?? false, timeZone: access.settings.timeZone, now: now)
            } catch {
                throw APIError.badRequest("\"date\" must be a date YYYY-MM-DD")
            }
            try await queue.enqueue(try request.job(now: now))
            try await staff.append(
                call.identity.audit(
                    "report.build", target: "report:\(request.date)", after: request.force ? "forced" : "queued",
                    at: now))
            return try .json(BuildQueued(queued: true, date: request.date, force: request.force), status: .accepted)
        }
    }

    static func reportDate(_ text: String, access: ReportAccess, field: String) throws -> String {
        guard let day = ReportDay(text, timeZone: access.settings.timeZone) else {
            throw APIError.badRequest("\"\(field)\" must be a date YYYY-MM-DD")
        }
        return day.isoDate
    }
}
