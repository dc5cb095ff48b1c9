import Foundation

/// Builds `report.xlsx`: the Orders sheet is streamed to a temporary file while orders
/// arrive; the aggregate sheets are written at the end; then every part is zipped.
final class XLSXWorkbookWriter {
    private let workDirectory: URL
    private let clock: BusinessClock
    private let orders: XLSXSheetWriter
    private let payments: XLSXSheetWriter
    private let sharedStrings = XLSXSharedStrings()

    /// `workDirectory` must exist; sheet files are written there until ``finish(aggregates:day:to:)``.
    init(workDirectory: URL, clock: BusinessClock) throws {
        self.workDirectory = workDirectory
        self.clock = clock
        orders = try XLSXSheetWriter(
            url: Self.sheetURL(ReportTables.orders, in: workDirectory),
            columns: ReportTables.orderColumns, clock: clock, sharedStrings: sharedStrings)
        payments = try XLSXSheetWriter(
            url: Self.sheetURL(ReportTables.payments, in: workDirectory),
            columns: ReportTables.paymentColumns, clock: clock, sharedStrings: sharedStrings)
    }

    private static func sheetURL(_ name: String, in directory: URL) -> URL {
        let index = ReportTables.sheetOrder.firstIndex(of: name)! + 1
        return directory.appendingPathComponent("sheet\(index).xml")
    }

    func appendOrder(_ row: [ReportCell]) { orders.appendRow(row) }

    func appendPayment(_ row: [ReportCell]) { payments.appendRow(row) }

    /// Writes the aggregate sheets, the Payments sheet's `paymentTail` (its totals and flags) and the package parts,
    /// and zips them into `destination`.
    func finish(aggregates: DailyAggregates, paymentTail: [[ReportCell]], day: ReportDay, to destination: URL) throws {
        try orders.finish()
        paymentTail.forEach { payments.appendRow($0) }
        try payments.finish()
        for section in ReportTables.aggregateSections(aggregates, day: day) {
            let isByHour = section.name == ReportTables.byHour
            try writeSheet(
                section, drawingRelationshipID: isByHour ? "rId1" : nil,
                fitsOnOnePage: isByHour || section.name == ReportTables.summary)
        }

        let chart = XLSXBarChart(
            sheetName: ReportTables.byHour, title: "Orders and deliveries by hour \(day.isoDate)",
            categories: aggregates.hours.map { ReportTables.hourLabel($0.hour) },
            series: [
                (ReportTables.hourColumns[1].header, aggregates.hours.map(\.placed)),
                (ReportTables.hourColumns[2].header, aggregates.hours.map(\.delivered)),
            ]
        )
        let sheetCount = ReportTables.sheetOrder.count
        let chartSheetIndex = ReportTables.sheetOrder.firstIndex(of: ReportTables.byHour)! + 1
        let sharedStringsURL = workDirectory.appendingPathComponent("sharedStrings.xml")
        try sharedStrings.write(to: sharedStringsURL)
        let zip = try ZipPackager(url: destination)
        try zip.add(path: "[Content_Types].xml", text: XLSXPackageParts.contentTypes(sheetCount: sheetCount))
        try zip.add(path: "_rels/.rels", text: XLSXPackageParts.rootRelationships)
        try zip.add(path: "docProps/app.xml", text: XLSXPackageParts.app)
        try zip.add(
            path: "docProps/core.xml",
            text: XLSXPackageParts.core(
                title: "DropMate daily report \(day.isoDate)", created: ISO8601DateFormatter().string(from: Date())))
        try zip.add(path: "xl/workbook.xml", text: XLSXPackageParts.workbook(sheetNames: ReportTables.sheetOrder))
        try zip.add(
            path: "xl/_rels/workbook.xml.rels", text: XLSXPackageParts.workbookRelationships(sheetCount: sheetCount))
        try zip.add(path: "xl/styles.xml", text: XLSXStyles.xml)
        try zip.add(path: "xl/sharedStrings.xml", file: sharedStringsURL)
        for index in 1...sheetCount {
            try zip.add(
                path: "xl/worksheets/sheet\(index).xml", file: workDirectory.appendingPathComponent("sheet\(index).xml")
            )
        }
        try zip.add(
            path: "xl/worksheets/_rels/sheet\(chartSheetIndex).xml.rels", text: XLSXPackageParts.chartSheetRelationships
        )
        try zip.add(path: "xl/drawings/drawing1.xml", text: XLSXPackageParts.drawing)
        try zip.add(path: "xl/drawings/_rels/drawing1.xml.rels", text: XLSXPackageParts.drawingRelationships)
        try zip.add(path: "xl/charts/chart1.xml", text: chart.xml)
    }

    private func writeSheet(_ section: ReportTables.Section, drawingRelationshipID: String?, fitsOnOnePage: Bool) throws
    {
        let sheet = try XLSXSheetWriter(
            url: Self.sheetURL(section.name, in: workDirectory), columns: section.columns,
            clock: clock, drawingRelationshipID: drawingRelationshipID,
            fitsOnOnePage: fitsOnOnePage)
        section.rows.forEach { sheet.appendRow($0) }
        try sheet.finish()
    }
}
