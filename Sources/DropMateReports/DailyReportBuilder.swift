import Foundation

/// Where a finished report's files are, and what it found.
public struct DailyReportFiles: Sendable {
    /// The Office Open XML workbook.
    public var xlsx: URL
    /// One CSV per section, keyed by sheet name (`Summary`, `Orders`, `Couriers`, `Merchants`, `Items`, `By hour`, `Payments`).
    public var csvFiles: [String: URL]
    /// The same CSVs in one zip, for a single download; only when the builder was asked to bundle them.
    public var csvZip: URL?
    /// The by-hour bar chart for the H5 page.
    public var chartSVG: URL
    public var aggregates: DailyAggregates
    /// Shorthand for `aggregates.summary`.
    public var summary: DailySummary { aggregates.summary }
}

/// Builds one day's report from orders fed one at a time.
///
/// ```swift
/// let builder = try DailyReportBuilder(day: day, directory: folder)
/// for try await order in store.ordersPlaced(on: day) { try builder.add(order) }
/// let files = try builder.finish(extras: extras)
/// ```
/// Payments (``add(payment:)``) come after the orders; the Payments sheet ends with per-merchant sums, the day
/// total and the payments needing attention.
/// The Orders and Payments sheets and CSVs are streamed to disk as orders arrive; the other sections are
/// written from the aggregates at the end. Files appear in `directory` only once complete:
/// everything is written in a hidden work folder and moved into place by `finish`, the workbook
/// last, so a `report.xlsx` in `directory` means the whole report is there. Record the report
/// (and notify anyone) only after `finish` returns. A builder dropped before `finish` removes its
/// work folder. Not thread-safe: feed it from one task.
public final class DailyReportBuilder {
    public let day: ReportDay
    public let directory: URL
    private let workDirectory: URL
    private var aggregator: DailyReportAggregator
    private let workbook: XLSXWorkbookWriter
    private let ordersCSV: CSVWriter
    private let paymentsCSV: CSVWriter
    private var paymentTally: PaymentTally
    private let clock: BusinessClock
    private let bundlesCSVs: Bool
    private var finished = false

    /// Output file names inside `directory`.
    public static let xlsxName = "report.xlsx"
    public static let csvZipName = "report-csv.zip"
    public static let csvFolderName = "csv"
    public static let chartName = "chart.svg"

    /// Prepares a report of `day` (its `timeZone` is the business zone) to be written into `directory`, created if missing.
    /// With `bundlesCSVs`, the CSVs are also zipped into one `report-csv.zip`; that costs about a sixth
    /// more time (the Orders CSV is deflated a second time), so it is off unless a single download is wanted.
    /// `payments` says whether the shop takes WeChat Pay (see ``ReportPaymentMode``).
    public init(day: ReportDay, directory: URL, bundlesCSVs: Bool = false, payments: ReportPaymentMode = .off) throws {
        self.day = day
        paymentTally = PaymentTally(mode: payments)
        self.directory = directory
        self.bundlesCSVs = bundlesCSVs
        workDirectory = directory.appendingPathComponent(".building-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        clock = BusinessClock(timeZone: day.timeZone)
        aggregator = DailyReportAggregator(day: day)
        workbook = try XLSXWorkbookWriter(workDirectory: workDirectory, clock: clock)
        ordersCSV = try CSVWriter(
            url: workDirectory.appendingPathComponent(ReportTables.csvFileName(ReportTables.orders)),
            columns: ReportTables.orderColumns, clock: clock)
        paymentsCSV = try CSVWriter(
            url: workDirectory.appendingPathComponent(ReportTables.csvFileName(ReportTables.payments)),
            columns: ReportTables.paymentColumns, clock: clock)
    }

    /// Convenience: the day `date` (`YYYY-MM-DD`) in `timeZone`.
    public convenience init(
        date: String, timeZone: TimeZone = ReportDay.defaultTimeZone, directory: URL,
        bundlesCSVs: Bool = false
    ) throws {
        guard let day = ReportDay(date, timeZone: timeZone) else { throw ReportError.invalidDate(date) }
        try self.init(day: day, directory: directory, bundlesCSVs: bundlesCSVs)
    }

    deinit {
        if !finished { try? FileManager.default.removeItem(at: workDirectory) }
    }

    /// Adds one order: counted, and written as a row of the Orders sheet and CSV.
    public func add(_ order: ReportOrder) throws {
        guard !finished else { throw ReportError.alreadyFinished }
        aggregator.add(order)
        let row = ReportTables.orderRow(order)
        workbook.appendOrder(row)
        ordersCSV.appendRow(row)
    }

    /// Adds one payment of the day's orders: summed per merchant and for the day, checked for problems, and
    /// written as a row of the Payments sheet and CSV.
    public func add(payment: ReportPayment) throws {
        guard !finished else { throw ReportError.alreadyFinished }
        let flag = paymentTally.add(payment)
        let row = ReportTables.paymentRow(payment, flag: flag)
        workbook.appendPayment(row)
        paymentsCSV.appendRow(row)
    }

    /// Writes the remaining sections, the workbook, the CSVs and the chart, and moves them into `directory`.
    public func finish(extras: DayExtras = DayExtras()) throws -> DailyReportFiles {
        guard !finished else { throw ReportError.alreadyFinished }
        finished = true
        defer { try? FileManager.default.removeItem(at: workDirectory) }
        var aggregates = aggregator.aggregates(extras: extras)
        if paymentTally.isShown { aggregates.summary.payments = paymentTally.totals }
        let paymentTail = ReportTables.paymentTailRows(paymentTally)

        try ordersCSV.finish()
        paymentTail.forEach { paymentsCSV.appendRow($0) }
        try paymentsCSV.finish()
        let csvStaging = workDirectory.appendingPathComponent(Self.csvFolderName)
        try FileManager.default.createDirectory(at: csvStaging, withIntermediateDirectories: true)
        for streamed in [ReportTables.orders, ReportTables.payments] {
            try FileManager.default.moveItem(
                at: workDirectory.appendingPathComponent(ReportTables.csvFileName(streamed)),
                to: csvStaging.appendingPathComponent(ReportTables.csvFileName(streamed)))
        }
        try writeAggregateCSVs(aggregates, into: csvStaging)

        let xlsxStaging = workDirectory.appendingPathComponent(Self.xlsxName)
        try workbook.finish(aggregates: aggregates, paymentTail: paymentTail, day: day, to: xlsxStaging)

        let zipStaging = workDirectory.appendingPathComponent(Self.csvZipName)
        if bundlesCSVs {
            let zip = try ZipPackager(url: zipStaging)
            for name in ReportTables.sheetOrder {
                let file = ReportTables.csvFileName(name)
                try zip.add(path: file, file: csvStaging.appendingPathComponent(file))
            }
        }

        let chartStaging = workDirectory.appendingPathComponent(Self.chartName)
        let chart = SVGChart(title: "Orders and deliveries by hour 每小时订单与送达 \(day.isoDate)", hours: aggregates.hours)
        try Data(chart.svg.utf8).write(to: chartStaging)

        let csvFolder = directory.appendingPathComponent(Self.csvFolderName)
        try publish(csvStaging, as: csvFolder)
        if bundlesCSVs {
            try publish(zipStaging, as: directory.appendingPathComponent(Self.csvZipName))
        } else {
            // an earlier build's
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(Self.csvZipName))
        }
        try publish(chartStaging, as: directory.appendingPathComponent(Self.chartName))
        try publish(xlsxStaging, as: directory.appendingPathComponent(Self.xlsxName))
        return DailyReportFiles(
            xlsx: directory.appendingPathComponent(Self.xlsxName),
            csvFiles: Dictionary(
                uniqueKeysWithValues: ReportTables.sheetOrder.map {
                    ($0, csvFolder.appendingPathComponent(ReportTables.csvFileName($0)))
                }),
            csvZip: bundlesCSVs ? directory.appendingPathComponent(Self.csvZipName) : nil,
            chartSVG: directory.appendingPathComponent(Self.chartName),
            aggregates: aggregates
        )
    }

    private func writeAggregateCSVs(_ aggregates: DailyAggregates, into folder: URL) throws {
        for section in ReportTables.aggregateSections(aggregates, day: day) {
            let url = folder.appendingPathComponent(ReportTables.csvFileName(section.name))
            let csv = try CSVWriter(url: url, columns: section.columns, clock: clock)
            section.rows.forEach { csv.appendRow($0) }
            try csv.finish()
        }
    }

    /// Replaces `destination` with `staged` (a rename within the same folder tree).
    private func publish(_ staged: URL, as destination: URL) throws {
        try? FileManager.default.removeItem(at: destination)
        try FileManager.default.moveItem(at: staged, to: destination)
    }
}
