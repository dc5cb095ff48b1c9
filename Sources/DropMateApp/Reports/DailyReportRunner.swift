import DropMateCore
import DropMateDataProtection
import DropMateEngine
import DropMateObjectStore
import DropMateReports
import DropMateStorage
import DropMateTelemetry
import Foundation
import Logging
import NIOPosix

/// Runs a `daily-report` job: reads the day's orders a page at a time, builds the files in a temporary folder,
/// stores them under `reports/DATE/`, and only then records the report together with one WeChat notice per
/// subscribed staff member. A failure anywhere before the record leaves nothing recorded and nobody notified;
/// the queue retries (files are stored under the same keys again) and dead-letters with the reason.
public struct DailyReportRunner: Sendable {
    /// The day's orders, payments and activity: reads that may lag a little (the read replica when one keeps up;
    /// a report is built well after its day has ended).
    let reads: SQLReadModel
    let reports: SQLReportStore
    let staff: SQLStaffStore
    let objects: any ObjectStore
    let catalog: @Sendable () -> Catalog
    let settings: ReportSettings
    let signer: LinkSigner
    let publicBaseURL: String
    let clock: @Sendable () -> Int64
    let logger: Logger
    /// Orders read per query.
    var pageSize = 4_000
    /// Where reports are built before upload.
    var workRoot = FileManager.default.temporaryDirectory
    /// Whether the shop takes WeChat Pay (the Payments sheet's flags depend on it).
    var payments: ReportPaymentMode = .off
    /// Where each run's duration goes (`dropmate_report_build_duration_seconds`).
    var metrics: AppMetrics = .disabled

    /// Builds, stores, records and announces the report `request` asks for, as job `jobID`.
    public func run(_ request: DailyReportJob, jobID: Int64) async throws {
        guard let day = ReportDay(request.date, timeZone: settings.timeZone) else {
            throw PermanentFailure(reason: "not a report date (YYYY-MM-DD): \(request.date.prefix(40))")
        }
        let started = ContinuousClock.now
        let folder = workRoot.appendingPathComponent("dropmate-report-\(day.isoDate)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try await build(day, into: folder)
        let keys = try await upload(files, date: day.isoDate)
        let summary = ReportSummary(files.summary)
        let now = clock()
        let notices = try await notices(for: day.isoDate, summary: summary, jobID: jobID, now: now)
        try await reports.record(
            ReportRecord(
                date: day.isoDate, builtAt: now, jobID: jobID, summary: try JSONColumn.encode(summary),
                files: try JSONColumn.encode(keys)), notices: notices)
        let elapsed = started.duration(to: .now)
        metrics.recordReportBuild(elapsed)
        logger.info(
            "daily report built",
            metadata: [
                "dropmate.report_date": "\(day.isoDate)", "dropmate.job_id": "\(jobID)",
                "dropmate.orders": "\(summary.placed)",
                "dropmate.notices": "\(notices.count)", "dropmate.duration_ms": "\(elapsed.wholeMilliseconds)",
            ])
    }

    /// The day's files in `folder`: orders streamed from SQL page by page (the next page is read while this one is
    /// written). The CPU-heavy part (rows, deflate) runs on a thread of its own, not on the event loops that serve HTTP.
    func build(_ day: ReportDay, into folder: URL) async throws -> DailyReportFiles {
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        defer { thread.shutdownGracefully { _ in } }
        let builder = BuilderBox(try DailyReportBuilder(day: day, directory: folder, payments: payments))
        let merchants = Dictionary(
            catalog().merchants.map { ($0.id, $0.name.zh) }, uniquingKeysWith: { first, _ in first })
        let from = Int64(day.start.timeIntervalSince1970), to = Int64(day.end.timeIntervalSince1970)
        let reads = self.reads, pageSize = self.pageSize
        var pending: Task<(orders: [Order], next: SQLConversationStore.PlacedCursor?), any Error>? = Task {
            try await reads.ordersPlaced(from: from, to: to, after: nil, limit: pageSize)
        }
        defer { pending?.cancel() }
        while let task = pending {
            let page = try await task.value
            pending = page.next.map { cursor in
                Task { try await reads.ordersPlaced(from: from, to: to, after: cursor, limit: pageSize) }
            }
            try await thread.runIfActive {
                for order in page.orders { try builder.value.add(Self.reportOrder(order, merchants: merchants)) }
            }
        }
        let dayPayments = try await reads.payments(ofOrdersPlacedFrom: from, to: to)
        try await thread.runIfActive {
            for payment in dayPayments {
                try builder.value.add(payment: Self.reportPayment(payment, merchants: merchants))
            }
        }
        let activity = try await reads.activity(from: from, to: to)
        let extras = DayExtras(
            pushesSent: activity.pushesSent, pushesFailed: activity.pushesFailed, smsSent: activity.smsSent,
            boardPosts: activity.boardPosts, deadJobs: activity.deadJobs)
        return try await thread.runIfActive { try builder.value.finish(extras: extras) }
    }

    /// Stores the files under `reports/DATE/`, the workbook last.
    func upload(_ files: DailyReportFiles, date: String) async throws -> ReportFileKeys {
        let prefix = ReportFileKeys.prefix(date)
        var csv: [String: String] = [:]
        for url in files.csvFiles.values.sorted(by: { $0.path < $1.path }) {
            let key = prefix + url.lastPathComponent
            try await objects.put(key: key, body: .file(path: url.path), contentType: "text/csv; charset=utf-8")
            csv[url.deletingPathExtension().lastPathComponent] = key
        }
        let chart = prefix + DailyReportBuilder.chartName
        try await objects.put(key: chart, body: .file(path: files.chartSVG.path), contentType: "image/svg+xml")
        let xlsx = prefix + DailyReportBuilder.xlsxName
        try await objects.put(
            key: xlsx, body: .file(path: files.xlsx.path),
            contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        return ReportFileKeys(xlsx: xlsx, chart: chart, csv: csv)
    }

    /// One push per subscribed staff member with a signed link to the report page. The key names the date, the
    /// staff member and the building job: a retried job notifies nobody twice; a forced rebuild (a new job) does notify.
    func notices(for date: String, summary: ReportSummary, jobID: Int64, now: Int64) async throws -> [NewJob] {
        let link = pageLink(date: date, now: now)
        var text = """
            DropMate 日报 \(date)：下单 \(summary.placed)，送达 \(summary.delivered)，取消 \(summary.cancelled)，营业额 \(summary.revenueText)。
            Daily report \(date): \(summary.placed) placed, \(summary.delivered) delivered, \(summary.cancelled) cancelled, revenue \(summary.revenueText).
            """
        if let attention = summary.payments?.needingAttention, attention > 0 {
            text += "\n\(attention) 笔支付需处理 / \(attention) payment(s) need attention (Payments sheet)."
        }
        text += "\n\(link)"
        return try await staff.reportSubscribers().compactMap { account in
            guard let openID = account.wechatOpenID else { return nil }
            return try PushJob(openID: openID, message: .text(text)).job(
                key: "report-notice:\(date):\(account.id):\(jobID)", now: now)
        }
    }

    /// The signed, expiring link to the report's H5 page.
    func pageLink(date: String, now: Int64) -> String {
        ReportLinks(signer: signer, publicBaseURL: publicBaseURL).page(date: date, expires: now + settings.linkTTL)
    }

    /// An order as the report prints it: phone masked, address cut to the district, the promised time as the first ETA.
    static func reportOrder(_ order: Order, merchants: [String: String]) -> ReportOrder {
        func date(_ seconds: Int64?) -> Date? { seconds.map { Date(timeIntervalSince1970: TimeInterval($0)) } }
        return ReportOrder(
            id: "\(order.id)", placedAt: Date(timeIntervalSince1970: TimeInterval(order.createdAt)),
            confirmedAt: date(order.confirmedAt),
            dispatchedAt: date(order.dispatchedAt), pickedUpAt: date(order.pickedUpAt),
            deliveredAt: date(order.deliveredAt),
            cancelledAt: date(order.cancelledAt), cancelReason: order.cancelReason,
            merchantName: merchants[order.merchantID] ?? order.merchantID,
            courierName: order.courierName,
            items: order.lines.map {
                ReportItem(name: $0.name.zh, quantity: $0.quantity, unitPriceFen: $0.unitPrice.fen)
            },
            totalFen: order.total.fen, promisedAt: date(order.promisedAt), firstEtaAt: date(order.promisedAt),
            maskedPhone: maskPhone(order.phone.digits), districtAddress: districtLevel(order.address.text),
            note: reportNote(order),
            distanceMetres: order.routeMetres.map { Int($0.rounded()) } ?? order.distanceMetres,
            deliveryFeeFen: order.deliveryFee.fen
        )
    }

    /// A payment as the report prints it; the order's outcome decides its flags.
    static func reportPayment(_ day: DayPayment, merchants: [String: String]) -> ReportPayment {
        let payment = day.payment
        let outcome: ReportPayment.OrderOutcome =
            switch day.orderStatus {
            case .delivered: .delivered
            case .cancelled: .cancelled
            default: .open
            }
        return ReportPayment(
            orderID: "\(day.orderID)", merchantName: merchants[day.merchantID] ?? day.merchantID,
            status: payment.status.rawValue,
            amountFen: payment.amount.fen, paidAt: payment.paidAt.map { Date(timeIntervalSince1970: TimeInterval($0)) },
            transactionID: payment.transactionID, refundedFen: payment.refundedFen,
            refundingFen: payment.pendingRefundFen, order: outcome)
    }

    /// The order's note and its lines' notes in one cell ("牛肉面: 不要香菜; 整单: 不要辣"), phone numbers masked:
    /// customers type anything into a note.
    static func reportNote(_ order: Order) -> String {
        let notes =
            order.lines.compactMap { line in line.note.map { "\(line.name.zh): \($0)" } }
            + (order.note.map { ["整单 order: \($0)"] } ?? [])
        return PIIMask.phoneNumbers(in: notes.joined(separator: "; "))
    }
}

/// Signed links to report pages: `/reports/DATE?exp=…&sig=…`, only DropMate can make them.
struct ReportLinks: Sendable {
    static let purpose = "report"
    let signer: LinkSigner
    let publicBaseURL: String

    func page(date: String, expires: Int64) -> String {
        "\(publicBaseURL)/reports/\(date)?exp=\(expires)&sig=\(signer.signature(purpose: Self.purpose, id: date, expires: expires))"
    }
}

/// The builder handed between this task and the build thread: used by one of them at a time, never both.
private final class BuilderBox: @unchecked Sendable {
    let value: DailyReportBuilder
    init(_ value: DailyReportBuilder) { self.value = value }
}
