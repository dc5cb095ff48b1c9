import DropMateCore
import Testing

@Suite struct OrderPaymentTests {
    let opened = OrderPayment(
        amount: Money(fen: 3600), outTradeNo: OrderPayment.outTradeNo(orderID: 1001), openedAt: 100)

    func paid() throws -> OrderPayment {
        try opened.applying(.paid(transactionID: "4200001", amountFen: 3600, at: 200)).payment
    }

    @Test func aNewPaymentIsUnpaidWithAStableTradeNumber() {
        #expect(
            opened.status == .unpaid && opened.outTradeNo == "DM1001" && opened.refundableFen == 0 && !opened.isPaid)
    }

    @Test func theRightAmountMarksItPaidOnce() throws {
        let first = try opened.applying(.paid(transactionID: "4200001", amountFen: 3600, at: 200))
        guard case .changed(let payment) = first else { Issue.record("not changed"); return }
        #expect(
            payment.status == .paid && payment.paidAt == 200 && payment.transactionID == "4200001"
                && payment.refundableFen == 3600)
        // The same callback again (or the query job finding it): nothing changes, not even the time.
        #expect(try payment.applying(.paid(transactionID: "4200001", amountFen: 3600, at: 260)) == .unchanged(payment))
    }

    @Test func aWrongAmountIsRefusedAndChangesNothing() {
        #expect(throws: PaymentTransitionError.wrongAmount(expectedFen: 3600, reportedFen: 1)) {
            try opened.applying(.paid(transactionID: "4200001", amountFen: 1, at: 200))
        }
    }

    @Test func aSecondDifferentTransactionIsRefused() throws {
        #expect(throws: PaymentTransitionError.alreadyPaid(transactionID: "4200001")) {
            try paid().applying(.paid(transactionID: "4200999", amountFen: 3600, at: 300))
        }
    }

    @Test func closingAffectsOnlyAnUnpaidPayment() throws {
        let closed = try opened.applying(.closed(at: 1000)).payment
        #expect(closed.status == .closed)
        #expect(try closed.applying(.closed(at: 1001)) == .unchanged(closed))
        let payment = try paid()
        #expect(try payment.applying(.closed(at: 1000)) == .unchanged(payment))
    }

    @Test func aPaymentArrivingAfterTheCloseIsStillRecorded() throws {
        let closed = try opened.applying(.closed(at: 1000)).payment
        let late = try closed.applying(.paid(transactionID: "4200001", amountFen: 3600, at: 999)).payment
        #expect(late.status == .paid && late.refundableFen == 3600)
    }

    @Test func aFullRefundGoesThroughRefundingToRefunded() throws {
        let asked = try paid().applying(
            .refundRequested(outRefundNo: "DM1001R1", amount: Money(fen: 3600), reason: "顾客取消", at: 300)
        ).payment
        #expect(asked.status == .refunding && asked.refundableFen == 0)
        #expect(
            try asked.applying(
                .refundRequested(outRefundNo: "DM1001R1", amount: Money(fen: 3600), reason: "顾客取消", at: 301))
                == .unchanged(asked))
        let done = try asked.applying(.refundFinished(outRefundNo: "DM1001R1", succeeded: true, at: 400)).payment
        #expect(done.status == .refunded && done.refundedFen == 3600 && done.refunds[0].finishedAt == 400)
        #expect(
            try done.applying(.refundFinished(outRefundNo: "DM1001R1", succeeded: true, at: 401)) == .unchanged(done))
    }

    @Test func partialRefundsAddUpAndNeverExceedThePayment() throws {
        var payment = try paid()
        payment = try payment.applying(
            .refundRequested(outRefundNo: payment.nextRefundNo, amount: Money(fen: 1000), reason: "少了一份", at: 300)
        ).payment
        payment = try payment.applying(.refundFinished(outRefundNo: "DM1001R1", succeeded: true, at: 310)).payment
        #expect(
            payment.status == .partiallyRefunded && payment.refundableFen == 2600 && payment.nextRefundNo == "DM1001R2")
        #expect(throws: PaymentTransitionError.refundTooLarge(requestedFen: 2601, refundableFen: 2600)) {
            try payment.applying(
                .refundRequested(outRefundNo: "DM1001R2", amount: Money(fen: 2601), reason: "x", at: 320))
        }
        #expect(throws: PaymentTransitionError.invalidAmount) {
            try payment.applying(.refundRequested(outRefundNo: "DM1001R2", amount: .zero, reason: "x", at: 320))
        }
        payment = try payment.applying(
            .refundRequested(outRefundNo: "DM1001R2", amount: Money(fen: 2600), reason: "取消", at: 330)
        ).payment
        payment = try payment.applying(.refundFinished(outRefundNo: "DM1001R2", succeeded: true, at: 340)).payment
        #expect(payment.status == .refunded && payment.refundedFen == 3600)
    }

    @Test func aFailedRefundGivesTheMoneyBackToRefundable() throws {
        var payment = try paid().applying(
            .refundRequested(outRefundNo: "DM1001R1", amount: Money(fen: 3600), reason: "取消", at: 300)
        ).payment
        payment = try payment.applying(.refundFinished(outRefundNo: "DM1001R1", succeeded: false, at: 310)).payment
        #expect(payment.status == .paid && payment.refundableFen == 3600 && payment.refunds[0].status == .failed)
    }

    @Test func refundsNeedAPaymentAndAKnownNumber() throws {
        #expect(throws: PaymentTransitionError.notPaid) {
            try opened.applying(
                .refundRequested(outRefundNo: "DM1001R1", amount: Money(fen: 100), reason: "x", at: 300))
        }
        #expect(throws: PaymentTransitionError.unknownRefund("DM1001R9")) {
            try paid().applying(.refundFinished(outRefundNo: "DM1001R9", succeeded: true, at: 300))
        }
    }

    @Test func cashOnDeliveryIsNotRequiredWithItsMethodAndChoosingItAgainChangesNothing() throws {
        let chosen = try opened.applying(.cashOnDelivery(at: 150))
        guard case .changed(let cash) = chosen else { Issue.record("not changed"); return }
        #expect(
            cash.status == .notRequired && cash.method == .cashOnDelivery && cash.isCashOnDelivery && !cash.isPaid
                && cash.refundableFen == 0)
        #expect(try cash.applying(.cashOnDelivery(at: 160)) == .unchanged(cash))
        // Paying online after all is money taken: it is recorded, and the method follows.
        let paid = try cash.applying(.paid(transactionID: "4200001", amountFen: 3600, at: 200)).payment
        #expect(paid.status == .paid && paid.method == .wechatPay && !paid.isCashOnDelivery)
        #expect(
            try paid.applying(.cashOnDelivery(at: 210)) == .unchanged(paid),
            "paid online: nothing to collect at the door")
        // Cancelled: the choice is closed like any unpaid payment, and cannot be made once closed.
        let closed = try cash.applying(.closed(at: 300)).payment
        #expect(closed.status == .closed)
        #expect(throws: PaymentTransitionError.closed) { try closed.applying(.cashOnDelivery(at: 310)) }
    }

    @Test func cashOnDeliveryIsAskedForOnlyByAWholeMessage() {
        for text in ["货到付款", "货到付款。", " 到付 ", "现金", "cash", "Cash on delivery", "pay cash!", "COD", "我要货到付款"] {
            #expect(CashOnDeliveryRequest.parse(text) == CashOnDeliveryRequest(orderID: nil), "\(text)")
        }
        for (text, id) in [("货到付款 #1002", Int64(1002)), ("cash 1002", 1002), ("货到付款 订单1003", 1003), ("cash #7", 7)] {
            #expect(CashOnDeliveryRequest.parse(text) == CashOnDeliveryRequest(orderID: id), "\(text)")
        }
        for text in ["2 份牛肉面", "现金流路 8 号", "cash register street 5", "不要货到付款", "确认", "cashew", "1002"] {
            #expect(CashOnDeliveryRequest.parse(text) == nil, "\(text)")
        }
    }

    @Test func statusesUseTheAPIsNames() {
        #expect(
            OrderPayment.Status.allCases.map(\.rawValue) == [
                "not_required", "unpaid", "paid", "refunding", "refunded", "partially_refunded", "closed",
            ])
    }
}
