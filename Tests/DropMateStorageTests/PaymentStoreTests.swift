import DropMateCore
import Testing

@testable import DropMateStorage

@Suite struct PaymentStoreTests {
    /// A stored order #1001 (¥36.00) with its payment opened.
    func prepared(_ db: TestDatabase) async throws -> SQLPaymentStore {
        let store = try await SQLConversationStore.open(db.backend, sealer: .test)
        try await store.commit(
            UnitOfWork(customer: "o_a", now: 100, orders: [OrderWrite(order: sampleOrder(id: 1001), isNew: true)]))
        await store.flush()
        let payments = SQLPaymentStore(backend: db.backend, sealer: .test)
        _ = try await payments.open(
            orderID: 1001, payment: OrderPayment(amount: Money(fen: 3600), outTradeNo: "DM1001", openedAt: 100),
            now: 100)
        return payments
    }

    static func pushJob(_ old: OrderPayment, _ new: OrderPayment) -> [NewJob] {
        [NewJob(kind: "push", payload: #"{"paid":"\#(new.transactionID ?? "")"}"#, idempotencyKey: nil, runAt: 200)]
    }

    @Test(arguments: BackendKind.available) func openingTwiceKeepsTheFirstPayment(_ kind: BackendKind) async throws {
        try await TestDatabase.with(kind) { db in
            let payments = try await prepared(db)
            let again = try await payments.open(
                orderID: 1001, payment: OrderPayment(amount: Money(fen: 1), outTradeNo: "DM1001", openedAt: 999),
                now: 999)
            #expect(again.payment.amount == Money(fen: 3600) && again.payment.openedAt == 100 && again.version == 1)
            #expect(try await payments.payment(outTradeNo: "DM1001")?.orderID == 1001)
            try await payments.setPrepay(orderID: 1001, prepayID: "wx1", at: 101)
            #expect(try await payments.payment(orderID: 1001)?.prepayID == "wx1")
            #expect(try await payments.unpaid(openedBefore: 101).map(\.orderID) == [1001])
            #expect(try await payments.unpaid(openedBefore: 100).isEmpty)
        }
    }

    @Test(arguments: BackendKind.available) func concurrentCallbacksMarkItPaidOnceAndQueueOnePush(
        _ kind: BackendKind
    ) async throws {
        try await TestDatabase.with(kind) { db in
            let payments = try await prepared(db)
            let outcomes = try await withThrowingTaskGroup(of: SQLPaymentStore.Outcome.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await payments.apply(
                            .paid(transactionID: "4200001", amountFen: 3600, at: 200), orderID: 1001, now: 200,
                            jobs: Self.pushJob)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { if case .changed = $0 { true } else { false } }.count == 1)
            #expect(outcomes.filter { if case .unchanged = $0 { true } else { false } }.count == 5)
            let row = try #require(try await payments.payment(orderID: 1001))
            #expect(row.payment.status == .paid && row.payment.transactionID == "4200001" && row.version == 2)
            #expect(try await SQLJobQueue(backend: db.backend, sealer: .test).jobs(kind: "push").count == 1)
            #expect(try await payments.unpaid(openedBefore: 10_000).isEmpty)
        }
    }

    @Test(arguments: BackendKind.available) func aWrongAmountIsRefusedAndNothingIsQueued(
        _ kind: BackendKind
    ) async throws {
        try await TestDatabase.with(kind) { db in
            let payments = try await prepared(db)
            let outcome = try await payments.apply(
                .paid(transactionID: "4200001", amountFen: 1, at: 200), orderID: 1001, now: 200, jobs: Self.pushJob)
            guard case .refused(.wrongAmount(3600, 1), let row) = outcome else { Issue.record("\(outcome)"); return }
            #expect(row.payment.status == .unpaid)
            #expect(try await payments.payment(orderID: 1001)?.payment.status == .unpaid)
            #expect(try await SQLJobQueue(backend: db.backend, sealer: .test).jobs(kind: "push").isEmpty)
            #expect(try await payments.apply(.closed(at: 1), orderID: 9999, now: 1) == .noPayment)
        }
    }

    @Test(arguments: BackendKind.available) func refundsAreStoredWithThePayment(_ kind: BackendKind) async throws {
        try await TestDatabase.with(kind) { db in
            let payments = try await prepared(db)
            _ = try await payments.apply(
                .paid(transactionID: "4200001", amountFen: 3600, at: 200), orderID: 1001, now: 200)
            _ = try await payments.apply(
                .refundRequested(outRefundNo: "DM1001R1", amount: Money(fen: 600), reason: "少了一份", at: 300),
                orderID: 1001, now: 300)
            _ = try await payments.apply(
                .refundFinished(outRefundNo: "DM1001R1", succeeded: true, at: 310), orderID: 1001, now: 310)
            let stored = try #require(try await payments.payments(orderIDs: [1001, 1002])[1001])
            #expect(
                stored.status == .partiallyRefunded && stored.refundedFen == 600
                    && stored.refunds.map(\.reason) == ["少了一份"])
        }
    }
}
