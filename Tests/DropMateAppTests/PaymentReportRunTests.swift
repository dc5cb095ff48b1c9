import DropMateCore
import DropMateReports
import DropMateStorage
import Foundation
import Testing

@testable import DropMateApp

/// The daily report's Payments sheet through the real job path: payments in the `payments` table (embedded
/// SQLite) → the report's store read → the sheet, the Summary and the recorded summary.
@Suite struct PaymentReportRunTests {
    /// Orders 3001 (delivered, paid), 3002 (cancelled, paid, no refund), 3003 (delivered, never paid), 3004 (paid, but
    /// placed the next day), 3005 (delivered, paid, part refunded), each charged ¥36.00.
    static func seedPayments(_ app: TestApp) async throws {
        try await ReportTests.seed(
            app,
            [
                ReportTests.order(3001, placed: ReportTests.local(24, 12, 0)),
                ReportTests.order(3002, placed: ReportTests.local(24, 12, 10), cancelled: true),
                ReportTests.order(3003, placed: ReportTests.local(24, 12, 20)),
                ReportTests.order(3004, placed: ReportTests.local(25, 0, 0, 5)),
                ReportTests.order(3005, placed: ReportTests.local(24, 23, 59, 59)),
            ])
        await app.dependencies.store.flush()
        let payments = SQLPaymentStore(backend: app.dependencies.backend)
        for id: Int64 in [3001, 3002, 3003, 3004, 3005] {
            let opened = ReportTests.local(24, 12, 0)
            _ = try await payments.open(
                orderID: id,
                payment: OrderPayment(
                    amount: Money(fen: 3600), outTradeNo: OrderPayment.outTradeNo(orderID: id), openedAt: opened),
                now: opened)
            guard id != 3003 else { continue }
            let paid = try await payments.apply(
                .paid(transactionID: "42000\(id)", amountFen: 3600, at: ReportTests.local(24, 12, 5)), orderID: id,
                now: opened)
            guard case .changed = paid else { Issue.record("\(id) not marked paid: \(paid)"); return }
        }
        _ = try await payments.apply(
            .refundRequested(
                outRefundNo: "DM3005R1", amount: Money(fen: 1250), reason: "少了一碗", at: ReportTests.local(24, 13, 0)),
            orderID: 3005, now: ReportTests.local(24, 13, 0))
        _ = try await payments.apply(
            .refundFinished(outRefundNo: "DM3005R1", succeeded: true, at: ReportTests.local(24, 13, 1)),
            orderID: 3005, now: ReportTests.local(24, 13, 1))
    }

    @Test func theReportReadsTheDaysPaymentsFromTheDatabaseAndFlagsAPaidCancelledOrder() async throws {
        let app = try await TestApp.make(clock: TestClock(ReportTests.morningAfter))
        try await Self.seedPayments(app)
        try await ReportTests.enqueue(app)
        try await ReportTests.drain(app)

        let csv = try await ReportTests.text(app, "reports/\(ReportTests.date)/payments.csv")
        let rows = csv.dropFirst().components(separatedBy: "\r\n")
        let payments = rows.filter { $0.hasPrefix("payment,") }
        #expect(
            payments.map { String($0.split(separator: ",")[1]) } == ["3001", "3002", "3003", "3005"],
            "the day's orders, in the order placed; 3004 is the next day's")
        #expect(payments[0].contains(",paid,36.00,0.00,36.00,2026-11-24 12:05:00,420003001,"))
        #expect(payments[3].contains(",partially_refunded,36.00,12.50,23.50,"))
        #expect(
            payments[2].contains(",unpaid,0.00,0.00,0.00,,,"),
            "payment is off in this app: an unpaid delivered order is not flagged")
        #expect(rows.contains("day total,,,,108.00,12.50,95.50,,,1 payment(s) need attention 需处理"))
        #expect(rows.contains { $0.hasPrefix("needs attention,3002,") && $0.contains("cancelled, paid, not refunded") })

        let record = try #require(try await app.dependencies.reportStore.report(date: ReportTests.date))
        let summary = try JSONColumn.decode(ReportSummary.self, from: record.summary)
        #expect(
            summary.payments
                == ReportSummary.Payments(
                    count: 4, paidFen: 10_800, refundedFen: 1_250, netFen: 9_550, needingAttention: 1))
        #expect(summary.placed == 4, "the orders are unchanged by payments")
        await app.shutdown()
    }

    @Test func withPaymentRequiredADeliveredOrderNeverPaidIsFlaggedToo() async throws {
        let app = try await TestApp.make(clock: TestClock(ReportTests.morningAfter))
        try await Self.seedPayments(app)
        var runner = app.dependencies.reportRunner
        runner.payments = .required
        let day = try #require(ReportDay(ReportTests.date, timeZone: app.dependencies.config.reports.timeZone))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dropmate-payreport-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try await runner.build(day, into: folder)
        #expect(files.summary.payments?.needingAttention == 2)
        let csv = String(
            decoding: try Data(contentsOf: try #require(files.csvFiles["Payments"])).dropFirst(3), as: UTF8.self)
        #expect(csv.contains("needs attention,3003,") && csv.contains("delivered, not paid"))
        await app.shutdown()
    }

    @Test func withPaymentOffAndNoPaymentsTheSheetSaysSoAndTheSummaryHasNoPayments() async throws {
        let app = try await TestApp.make(clock: TestClock(ReportTests.morningAfter))
        try await ReportTests.seed(app, [ReportTests.order(3101, placed: ReportTests.local(24, 12, 0))])
        try await ReportTests.enqueue(app)
        try await ReportTests.drain(app)
        let csv = try await ReportTests.text(app, "reports/\(ReportTests.date)/payments.csv")
        #expect(csv.contains("WeChat Pay is off") && !csv.contains("day total"))
        let record = try #require(try await app.dependencies.reportStore.report(date: ReportTests.date))
        #expect(try JSONColumn.decode(ReportSummary.self, from: record.summary).payments == nil)
        await app.shutdown()
    }
}
