import Foundation

@testable import DropMateReports

/// 2026-11-24 in Shanghai: local midnight is 2026-11-23T16:00:00Z.
let shanghaiDay = ReportDay(year: 2026, month: 11, day: 24)!

/// The instant `hour:minute:second` local time on the test day (a UTC clock underneath).
func local(_ hour: Int, _ minute: Int = 0, _ second: Int = 0, day: ReportDay = shanghaiDay) -> Date {
    day.start.addingTimeInterval(Double(hour * 3_600 + minute * 60 + second))
}

/// An order with sensible defaults; tests override what they are about.
func order(
    _ id: String = "DM-1", placed: Date = local(12), confirmed: Date? = nil, delivered: Date? = nil,
    cancelled: Date? = nil, reason: String? = nil, merchant: String = "沙县小吃", courier: String? = nil,
    items: [ReportItem] = [ReportItem(name: "米饭", quantity: 1, unitPriceFen: 200)], totalFen: Int = 200,
    promised: Date? = nil, firstEta: Date? = nil, note: String = "", distance: Int? = nil
) -> ReportOrder {
    ReportOrder(
        id: id, placedAt: placed, confirmedAt: confirmed, deliveredAt: delivered, cancelledAt: cancelled,
        cancelReason: reason, merchantName: merchant, courierName: courier, items: items, totalFen: totalFen,
        promisedAt: promised, firstEtaAt: firstEta, maskedPhone: "138****8000", districtAddress: "上海市浦东新区",
        note: note, distanceMetres: distance
    )
}

/// A delivered order confirmed at noon that took `minutes` minutes.
func delivered(
    _ id: String, minutes: Int, courier: String = "张伟", promisedMinutes: Int? = nil, etaMinutes: Int? = nil
) -> ReportOrder {
    let confirmed = local(12)
    return order(
        id, placed: local(11, 58), confirmed: confirmed, delivered: confirmed.addingTimeInterval(Double(minutes * 60)),
        courier: courier, promised: promisedMinutes.map { confirmed.addingTimeInterval(Double($0 * 60)) },
        firstEta: etaMinutes.map { confirmed.addingTimeInterval(Double($0 * 60)) }
    )
}

/// A fresh folder under the system temp directory, removed by the caller with `FileManager.removeItem`.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("dropmate-reports-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Builds a report of `orders` into a temporary folder and hands the files to `body`.
func withReport(
    _ orders: [ReportOrder], extras: DayExtras = DayExtras(),
    _ body: (DailyReportFiles) throws -> Void
) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let builder = try DailyReportBuilder(day: shanghaiDay, directory: folder)
    for order in orders { try builder.add(order) }
    try body(try builder.finish(extras: extras))
}

/// The CSV's text after the byte-order mark.
func csvText(_ url: URL) throws -> String {
    let data = try Data(contentsOf: url)
    return String(decoding: data.dropFirst(3), as: UTF8.self)
}
