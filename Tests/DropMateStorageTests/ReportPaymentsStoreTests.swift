import DropMateCore
import Testing

@testable import DropMateStorage

/// The report's read of the `payments` table: the payments of the orders placed in a range, with each order's status,
/// on SQLite always and on PostgreSQL when CI has started one.
@Suite struct ReportPaymentsStoreTests {
    @Test(arguments: BackendKind.available) func paymentsOfTheOrdersPlacedInTheRangeComeWithTheirOrdersStatus(
        _ kind: BackendKind
    ) async throws {
        try await TestDatabase.with(kind) { db in
            let store = try await SQLConversationStore.open(db.backend, sealer: .test)
            var cancelled = sampleOrder(id: 1002)
            cancelled.status = .cancelled
            cancelled.cancelledAt = 150
            var late = sampleOrder(id: 1003)
            late.createdAt = 200
            try await store.commit(
                UnitOfWork(
                    customer: "o_a", now: 100,
                    orders: [
                        OrderWrite(order: sampleOrder(id: 1001), isNew: true),
                        OrderWrite(order: cancelled, isNew: true), OrderWrite(order: late, isNew: true),
                        OrderWrite(order: sampleOrder(id: 1004), isNew: true),
                    ]))
            await store.flush()
            let payments = SQLPaymentStore(backend: db.backend, sealer: .test)
            for id: Int64 in [1001, 1002, 1003] {
                _ = try await payments.open(
                    orderID: id,
                    payment: OrderPayment(
                        amount: Money(fen: 3600), outTradeNo: OrderPayment.outTradeNo(orderID: id), openedAt: 100),
                    now: 100)
            }
            _ = try await payments.apply(
                .paid(transactionID: "4200001002", amountFen: 3600, at: 120), orderID: 1002, now: 120)

            let found = try await SQLReportStore(backend: db.backend, sealer: .test).payments(
                ofOrdersPlacedFrom: 100, to: 200)
            #expect(found.map(\.orderID) == [1001, 1002], "1003 was placed at the range's end; 1004 has no payment")
            #expect(found.map(\.orderStatus) == [.awaitingConfirmation, .cancelled])
            #expect(
                found[1].merchantID == "lanzhou" && found[1].payment.transactionID == "4200001002"
                    && found[1].payment.paidAt == 120)
            #expect(found[0].payment.status == .unpaid && found[0].payment.amount == Money(fen: 3600))
        }
    }
}
