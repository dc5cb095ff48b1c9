import DropMateCore
import DropMateFakes
import Foundation
import Testing

@testable import DropMateApp

/// Production mode with WeChat Pay: two replicas on one PostgreSQL and one Redis. WeChat Pay may deliver a callback
/// to either, several times at once; the order is paid once and the customer told once.
@Suite(
    .enabled(
        if: PostgresTestDatabase.serverURL != nil && TestRedis.url != nil, "DATABASE_URL and REDIS_URL name no servers")
)
struct PaymentReplicaTests {
    @Test func oneCallbackDeliveredThreeTimesAtOnceToTwoReplicasPaysOnceAndPushesOnce() async throws {
        let clock = TestClock(TestAccount.start)
        let fake = try PayTestKeys.fake(clock: clock)
        try await fake.serve { baseURL in
            let environment = ["DATABASE_URL": try await PostgresTestDatabase.create()].merging(TestRedis.environment())
            { $1 }
            .merging(try PayTestKeys.environment(fake, baseURL: baseURL)) { $1 }
            let a = try await TestApp.make(clock: clock, extra: environment),
                b = try await TestApp.make(clock: clock, extra: environment)
            let link = try PaymentFlowTests.payLink(in: try await PaymentFlowTests.confirmedOrder(a))
            try await a.live { one in
                try await b.live { two in
                    #expect(try await two.execute(uri: link, method: .get).status == .ok)
                    let callback = try fake.pay("DM1001")
                    let urls = [
                        "http://127.0.0.1:\(one.port!)/wechat/pay/notify",
                        "http://127.0.0.1:\(two.port!)/wechat/pay/notify",
                    ]
                    let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                        for attempt in 0..<6 {
                            group.addTask { try await fake.deliver(callback, to: urls[attempt % 2]) }
                        }
                        return try await group.reduce(into: [Int]()) { $0.append($1) }
                    }
                    #expect(statuses == Array(repeating: 204, count: 6))
                    let payment = try #require(try await b.dependencies.payments?.payments.payment(orderID: 1001))
                    #expect(
                        payment.payment.status == .paid && payment.version == 2, "one change, whichever replica made it"
                    )
                    #expect(try await PaymentFlowTests.paidPushes(a) == 1)
                    // Staff on the other replica may now dispatch it.
                    let courier = try await b.dependencies.couriers.create(
                        name: "王师傅", phone: PhoneNumber("13900139000"))
                    try await b.dependencies.engine.assign(orderID: 1001, courierID: courier.courier.id)
                }
            }
        }
    }

    /// Done means, on PostgreSQL + Redis: a customer orders and pays, the order is cancelled and refunded in full, and
    /// the day reconciles cleanly against WeChat Pay's bill (the payment and its refund both matched).
    @Test func onPostgresACustomerPaysIsRefundedAndTheDayReconciles() async throws {
        let clock = TestClock(TestAccount.start)
        let fake = try PayTestKeys.fake(clock: clock)
        try await fake.serve { baseURL in
            let environment = ["DATABASE_URL": try await PostgresTestDatabase.create()].merging(TestRedis.environment())
            { $1 }
            .merging(try PayTestKeys.environment(fake, baseURL: baseURL)) { $1 }
            let app = try await TestApp.make(clock: clock, extra: environment)
            let link = try PaymentFlowTests.payLink(in: try await PaymentFlowTests.confirmedOrder(app))
            try await app.live(runWorker: false) { client in
                let notify = "http://127.0.0.1:\(client.port!)/wechat/pay/notify"
                #expect(try await client.execute(uri: link, method: .get).status == .ok)
                #expect(try await fake.deliver(try fake.pay("DM1001"), to: notify) == 204)
                #expect(try await app.dependencies.payments?.payments.payment(orderID: 1001)?.payment.status == .paid)
                try await app.dependencies.engine.apply(.cancel(reason: "shop closed"), toOrder: 1001)
                var refund: FakeWeChatPay.Refund?
                for _ in 0..<20 where refund == nil {
                    _ = try await app.dependencies.worker.runDueJobs()
                    refund = fake.refund("DM1001R1")
                    // jobs reach the Redis stream a moment later
                    if refund == nil { try await Task.sleep(for: .milliseconds(150)) }
                }
                #expect(refund?.request.amount.refund == 1800)
                #expect(try await fake.deliver(try fake.finishRefund("DM1001R1"), to: notify) == 204)
                let payment = try #require(
                    try await app.dependencies.payments?.payments.payment(orderID: 1001)?.payment)
                #expect(payment.status == .refunded && payment.refundedFen == 1800)
                let day = try #require(try await app.dependencies.payments?.reconcile(date: "2026-11-25"))
                #expect(day.differences.isEmpty && day.billLines == 2, "\(day.differences)")
            }
        }
    }
}
