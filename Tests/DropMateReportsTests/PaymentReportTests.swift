import Foundation
import Testing

@testable import DropMateReports

/// The Payments sheet: one row per payment of the day's orders, sums per merchant and for the day in integer fen,
/// and the payments that need attention (delivered but unpaid when payment is required; paid, cancelled, not refunded).
@Suite struct PaymentReportTests {
    func payment(
        _ id: String, merchant: String = "兰州牛肉面馆", status: String = "paid", fen: Int, paid: Bool = true,
        refunded: Int = 0, refunding: Int = 0, order: ReportPayment.OrderOutcome = .delivered
    ) -> ReportPayment {
        ReportPayment(
            orderID: id, merchantName: merchant, status: status, amountFen: fen, paidAt: paid ? local(12, 5) : nil,
            transactionID: paid ? "42000000\(id)" : nil, refundedFen: refunded, refundingFen: refunding, order: order)
    }

    func withPaymentsReport(
        _ payments: [ReportPayment], mode: ReportPaymentMode,
        _ body: (DailyReportFiles) throws -> Void
    ) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let builder = try DailyReportBuilder(day: shanghaiDay, directory: folder, payments: mode)
        try builder.add(order("1001"))
        for payment in payments { try builder.add(payment: payment) }
        try body(try builder.finish())
    }

    func lines(_ files: DailyReportFiles, _ section: String) throws -> [String] {
        try csvText(try #require(files.csvFiles[section])).components(separatedBy: "\r\n").filter { !$0.isEmpty }
    }

    @Test func paidRefundedAndNetAreSummedPerMerchantAndForTheDayInExactFen() {
        var tally = PaymentTally(mode: .required)
        tally.add(payment("1", fen: 10))
        tally.add(payment("2", fen: 20))
        tally.add(payment("3", fen: 2_399, refunded: 1_000))
        tally.add(payment("4", merchant: "幸福饺子馆", fen: 1_801, refunded: 1_801, order: .cancelled))
        tally.add(payment("5", merchant: "幸福饺子馆", status: "unpaid", fen: 999, paid: false, order: .open))
        #expect(
            tally.totals
                == PaymentTotals(payments: 5, paidFen: 10 + 20 + 2_399 + 1_801, refundedFen: 2_801, needingAttention: 0)
        )
        #expect(tally.totals.netFen == 1_429)
        #expect(
            tally.merchantPayments == [
                MerchantPayments(name: "兰州牛肉面馆", paidFen: 2_429, refundedFen: 1_000),
                MerchantPayments(name: "幸福饺子馆", paidFen: 1_801, refundedFen: 1_801),
            ])
    }

    @Test func aDeliveredOrderLeftUnpaidIsFlaggedOnlyWhenPaymentIsRequired() {
        let unpaid = payment("1", status: "unpaid", fen: 2_300, paid: false)
        let closed = payment("2", status: "closed", fen: 2_300, paid: false)
        #expect(unpaid.flag(mode: .required) == .deliveredUnpaid)
        #expect(closed.flag(mode: .required) == .deliveredUnpaid)
        #expect(
            unpaid.flag(mode: .optional) == nil, "with optional payment the customer may have paid cash at the door")
        #expect(
            payment("3", status: "unpaid", fen: 2_300, paid: false, order: .open).flag(mode: .required) == nil,
            "not delivered yet")
        #expect(payment("4", fen: 2_300).flag(mode: .required) == nil)
    }

    @Test func aCancelledOrderStillPaidWithNoRefundIsFlaggedAndOneBeingRefundedIsNot() {
        #expect(payment("1", fen: 2_300, order: .cancelled).flag(mode: .optional) == .cancelledPaidNotRefunded)
        #expect(
            payment("2", status: "refunding", fen: 2_300, refunding: 2_300, order: .cancelled).flag(mode: .required)
                == nil)
        #expect(
            payment("3", status: "refunded", fen: 2_300, refunded: 2_300, order: .cancelled).flag(mode: .required)
                == nil)
        #expect(
            payment("4", status: "closed", fen: 2_300, paid: false, order: .cancelled).flag(mode: .required) == nil,
            "never paid")
        // A refund WeChat Pay closed or failed leaves the money with the shop: still flagged.
        #expect(payment("5", fen: 2_300, order: .cancelled).flag(mode: .off) == .cancelledPaidNotRefunded)
    }

    @Test func thePaymentsCSVListsEachPaymentThenMerchantTotalsTheDayTotalAndWhatNeedsAttention() throws {
        let payments = [
            payment("1001", fen: 2_300),
            payment("1002", status: "partially_refunded", fen: 1_850, refunded: 500),
            payment("1003", merchant: "幸福饺子馆", fen: 1_200, order: .cancelled),
            payment("1004", merchant: "幸福饺子馆", status: "unpaid", fen: 990, paid: false),
        ]
        try withPaymentsReport(payments, mode: .required) { files in
            let rows = try lines(files, "Payments")
            #expect(
                rows == [
                    "Row,Order,Merchant,Status,Paid (yuan),Refunded (yuan),Net (yuan),Paid at,Transaction id,Needs attention",
                    "payment,1001,兰州牛肉面馆,paid,23.00,0.00,23.00,2026-11-24 12:05:00,420000001001,",
                    "payment,1002,兰州牛肉面馆,partially_refunded,18.50,5.00,13.50,2026-11-24 12:05:00,420000001002,",
                    "payment,1003,幸福饺子馆,paid,12.00,0.00,12.00,2026-11-24 12:05:00,420000001003,\"cancelled, paid, not refunded 已取消已付款未退款\"",
                    "payment,1004,幸福饺子馆,unpaid,0.00,0.00,0.00,,,\"delivered, not paid 已送达未付款\"",
                    "merchant total,,兰州牛肉面馆,,41.50,5.00,36.50,,,",
                    "merchant total,,幸福饺子馆,,12.00,0.00,12.00,,,",
                    "day total,,,,53.50,5.00,48.50,,,2 payment(s) need attention 需处理",
                    "needs attention,1003,幸福饺子馆,paid,12.00,0.00,12.00,2026-11-24 12:05:00,420000001003,\"cancelled, paid, not refunded 已取消已付款未退款\"",
                    "needs attention,1004,幸福饺子馆,unpaid,0.00,0.00,0.00,,,\"delivered, not paid 已送达未付款\"",
                ])
            let summary = try lines(files, "Summary")
            #expect(summary.contains("Payments (WeChat Pay),4"))
            #expect(
                summary.contains("Paid (yuan),53.50") && summary.contains("Refunded (yuan),5.00")
                    && summary.contains("Net paid (yuan),48.50"))
            #expect(summary.contains("Payments needing attention,2"))
            #expect(
                files.summary.payments
                    == PaymentTotals(payments: 4, paidFen: 5_350, refundedFen: 500, needingAttention: 2))
        }
    }

    @Test func theWorkbookHasAPaymentsSheetWithTheSameRowsTypedAsInTheOtherSheets() throws {
        try withPaymentsReport([payment("1001", fen: 2_300)], mode: .required) { files in
            let book = try Workbook(files.xlsx)
            #expect(try book.part("xl/workbook.xml").contains(#"name="Payments""#))
            let sheet = try book.part("xl/worksheets/sheet7.xml")
            #expect(try book.isWellFormed("xl/worksheets/sheet7.xml"))
            #expect(
                sheet.contains("<t>420000001001</t>"), "the transaction id is text, never a number Excel would round")
            #expect(sheet.contains("<v>23.00</v>"), "money is a number")
            #expect(sheet.contains(#"ySplit="1""#))
        }
    }

    @Test func withPaymentOffTheSheetIsThereAndSaysSoAndTheSummaryIsUnchanged() throws {
        try withPaymentsReport([], mode: .off) { files in
            let rows = try lines(files, "Payments")
            #expect(rows.count == 2)
            #expect(rows[1].hasPrefix("note,,,,,,,,,") && rows[1].contains("WeChat Pay is off"))
            let summary = try lines(files, "Summary")
            #expect(!summary.contains { $0.hasPrefix("Paid (yuan)") || $0.hasPrefix("Payments") })
            #expect(files.summary.payments == nil)
            #expect(try Workbook(files.xlsx).isWellFormed("xl/worksheets/sheet7.xml"))
        }
    }

    @Test func withPaymentOnAndNothingPaidTheDayTotalIsZeroAndTheSummaryCountsNone() throws {
        try withPaymentsReport([], mode: .optional) { files in
            let payments = try lines(files, "Payments"), summary = try lines(files, "Summary")
            #expect(payments.last == "day total,,,,0.00,0.00,0.00,,,")
            #expect(summary.contains("Payments needing attention,0"))
        }
    }

    @Test func paymentsAddedAfterFinishingAreRefused() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let builder = try DailyReportBuilder(day: shanghaiDay, directory: folder, payments: .required)
        _ = try builder.finish()
        #expect(throws: ReportError.self) { try builder.add(payment: payment("1", fen: 100)) }
    }
}
