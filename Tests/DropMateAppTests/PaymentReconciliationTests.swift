import DropMateCore
import DropMateFakes
import Foundation
import Testing

@testable import DropMateApp

@Suite struct PaymentReconciliationTests {
    static let header =
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率"

    @Test func billAmountsAreReadAsFenWithoutFloatingPoint() throws {
        let bill = """
            \(Self.header)
            `2026-11-25T12:03:00+08:00,`wx1,`1900000109,`0,`,`4200001,`DM1001,`o_a,`JSAPI,`SUCCESS,`OTHERS,`CNY,`18.00,`0.00,`0,`0,`0.00,`0.00,`,`,`牛肉面×1,`,`0.11000,`0.60%
            `2026-11-25T12:30:00+08:00,`wx1,`1900000109,`0,`,`4200001,`DM1001,`o_a,`JSAPI,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`5030001,`DM1001R1,`5.5,`0.00,`ORIGINAL,`SUCCESS,`,`,`0.00000,`0.60%
            总交易单数,应结订单总金额
            `2,`18.00
            """
        let lines = try PaymentReconciliation.parse(bill: bill)
        #expect(
            lines.map(\.amountFen) == [1800, 0] && lines.map(\.refundFen) == [0, 550]
                && lines[1].outRefundNo == "DM1001R1")
        #expect(
            PaymentReconciliation.fen("0.07") == 7 && PaymentReconciliation.fen("12") == 1200
                && PaymentReconciliation.fen("1.234") == nil && PaymentReconciliation.fen("-1.00") == nil)
        #expect(throws: PaymentReconciliation.BillError.self) {
            try PaymentReconciliation.parse(bill: Self.header + "\n`a,`b\n")
        }
    }

    @Test func everyDifferenceIsNamed() throws {
        var paid = OrderPayment(amount: Money(fen: 1800), outTradeNo: "DM1001", openedAt: 0)
        paid = try paid.applying(.paid(transactionID: "4200001", amountFen: 1800, at: 10)).payment
        var missing = OrderPayment(amount: Money(fen: 900), outTradeNo: "DM1003", openedAt: 0)
        missing = try missing.applying(.paid(transactionID: "4200003", amountFen: 900, at: 10)).payment
        let unpaid = OrderPayment(amount: Money(fen: 2000), outTradeNo: "DM1002", openedAt: 0)
        let bill = [
            PaymentReconciliation.BillLine(
                transactionID: "4200001", outTradeNo: "DM1001", state: "SUCCESS", amountFen: 1800, outRefundNo: "0",
                refundFen: 0),
            PaymentReconciliation.BillLine(
                transactionID: "4200002", outTradeNo: "DM1002", state: "SUCCESS", amountFen: 2000, outRefundNo: "0",
                refundFen: 0),
            PaymentReconciliation.BillLine(
                transactionID: "4200009", outTradeNo: "DM9999", state: "SUCCESS", amountFen: 100, outRefundNo: "0",
                refundFen: 0),
            PaymentReconciliation.BillLine(
                transactionID: "4200001", outTradeNo: "DM1001", state: "REFUND", amountFen: 0, outRefundNo: "DM1001R1",
                refundFen: 500),
        ]
        let result = PaymentReconciliation.compare(
            bill: bill, ours: ["DM1001": paid, "DM1002": unpaid, "DM1003": missing]
        ) { $0.isPaid }
        #expect(
            result.differences == [
                "DM1002: paid at WeChat Pay (4200002), unpaid here",
                "DM9999: paid ¥1.00 at WeChat Pay (4200009), unknown here",
                "DM1003: paid ¥9.00 here (4200003), missing from WeChat Pay's bill",
                "DM1001: refund DM1001R1 of ¥5.00 at WeChat Pay, unknown here",
            ])
        let clean = PaymentReconciliation.compare(bill: [bill[0]], ours: ["DM1001": paid]) { $0.isPaid }
        #expect(clean.differences.isEmpty)
    }

    @Test func aPaidDayReconcilesCleanlyAgainstTheFakesBillAndAPaymentWeNeverMadeShowsUp() async throws {
        try await PaymentFlowTests.withPayingApp { app, fake in
            let link = try PaymentFlowTests.payLink(in: try await PaymentFlowTests.confirmedOrder(app))
            try await app.live { client in
                _ = try await client.execute(uri: link, method: .get)
                #expect(
                    try await fake.deliver(
                        try fake.pay("DM1001"), to: "http://127.0.0.1:\(client.port!)/wechat/pay/notify") == 204)
                let date = "2026-11-25"
                let clean = try #require(try await app.dependencies.payments?.reconcile(date: date))
                #expect(clean.differences.isEmpty && clean.billLines == 1, "\(clean.differences)")
                // A payment WeChat Pay has that we never heard of shows up.
                fake.recordForeignPayment(outTradeNo: "DM7777", amountFen: 1800)
                let found = try #require(try await app.dependencies.payments?.reconcile(date: date))
                #expect(
                    found.differences.count == 1
                        && found.differences[0].hasPrefix("DM7777: paid ¥18.00 at WeChat Pay (4200"),
                    "\(found.differences)")
            }
        }
    }
}
