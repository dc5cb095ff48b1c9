import DropMateCore
import DropMateStorage
import Foundation
import SQLKit
import Testing

@testable import DropMateApp
@testable import DropMateDataProtection
@testable import DropMateEngine

/// Sealed values are bound to their column and row: moved elsewhere they do not open; plain text where a sealed
/// value belongs is refused; values sealed in the old unbound format still open, and `rotate-key` binds them.
@Suite struct SealedFieldTests {
    static func order(_ id: Int64, customer: String, phone: String, address: String) -> Order {
        Order(
            id: id, customer: customer, merchantID: "lanzhou",
            lines: [
                OrderLine(
                    itemID: "beef-noodles", name: LocalizedText(zh: "牛肉面", en: "noodles"), quantity: 1,
                    unitPrice: Money(fen: 1800))
            ],
            address: DeliveryAddress(text: address), phone: PhoneNumber(phone)!, language: .zh,
            createdAt: TestAccount.start)
    }

    static func twoOrders(_ app: TestApp) async throws {
        for order in [
            order(1001, customer: "o_victim", phone: "13800138000", address: "上海市浦东新区张江路88号"),
            order(1002, customer: "o_attacker", phone: "13900139000", address: "人民广场"),
        ] {
            try await app.dependencies.store.commit(
                UnitOfWork(
                    customer: order.customer, now: order.createdAt, orders: [OrderWrite(order: order, isNew: true)]))
        }
        await app.dependencies.store.flush()
    }

    static func data(_ app: TestApp, order id: Int64) async throws -> String {
        try #require(
            try await app.dependencies.backend.reader.raw("SELECT data FROM orders WHERE id = \(bind: id)").first()?
                .decode(column: "data", as: String.self))
    }

    static func setData(_ app: TestApp, order id: Int64, _ value: String) async throws {
        try await app.dependencies.backend.transaction { db in
            try await db.raw("UPDATE orders SET data = \(bind: value) WHERE id = \(bind: id)").run()
        }
    }

    @Test func anOrderCopiedIntoAnotherRowDoesNotOpenThere() async throws {
        let app = try await TestApp.make()
        try await Self.twoOrders(app)
        // Someone who can write the table (a leaked backup restored, an injection elsewhere) moves the victim's
        // sealed document into the attacker's order, whose tracking link they hold.
        try await Self.setData(app, order: 1002, try await Self.data(app, order: 1001))
        await #expect(throws: FieldCipherError.authenticationFailed(keyID: "t1")) {
            _ = try await app.dependencies.store.order(id: 1002)
        }
        #expect(
            try await app.dependencies.store.order(id: 1001)?.address.text == "上海市浦东新区张江路88号", "in its own row it opens"
        )
        // And a state moved to another customer, or an answer to another message, does not open either.
        let sealer = app.dependencies.store.sealer
        let state = try sealer.encode(
            ConversationState(
                language: .zh, profile: CustomerProfile(), draft: nil, pendingOrderID: nil, lastActivityAt: 0,
                hasOrders: false), as: .customerState("o_victim"))
        #expect(throws: FieldCipherError.self) {
            try sealer.decode(ConversationState.self, from: state, as: .customerState("o_attacker"))
        }
        #expect(throws: FieldCipherError.self) {
            try sealer.open(try sealer.seal("x", as: .answer("o_victim:1")), as: .answer("o_attacker:1"))
        }
        #expect(throws: FieldCipherError.self) {
            try sealer.open(try sealer.seal("13800138000", as: .courierPhone), as: .jobPayload)
        }
        await app.shutdown()
    }

    @Test func plainTextWhereASealedValueBelongsIsRefused() async throws {
        let app = try await TestApp.make()
        try await Self.twoOrders(app)
        let forged = Self.order(1002, customer: "o_attacker", phone: "13900139000", address: "<forged in the clear>")
        try await Self.setData(app, order: 1002, String(decoding: try JSONEncoder().encode(forged), as: UTF8.self))
        await #expect(throws: FieldCipherError.notSealed) { _ = try await app.dependencies.store.order(id: 1002) }
        try await app.dependencies.backend.transaction { db in
            try await db.raw(
                "INSERT INTO customers (openid, state, expires_at, updated_at) VALUES ('o_plain', '{}', 0, 0)"
            ).run()
        }
        await #expect(throws: FieldCipherError.notSealed) {
            _ = try await app.dependencies.store.load(customer: "o_plain", dedupeKey: nil)
        }
        await app.shutdown()
    }

    @Test func aJobWhosePayloadIsNotSealedIsDeadLetteredAndTheQueueGoesOn() async throws {
        let app = try await TestApp.make()
        try await app.dependencies.backend.transaction { db in
            try await db.raw(
                """
                INSERT INTO jobs (kind, payload, state, run_at, attempts, max_attempts, created_at, updated_at)
                VALUES ('sms', '{"phone":"+8613800138000","text":"planted"}', 'ready', 0, 0, 8, 0, 0)
                """
            ).run()
        }
        try await app.dependencies.queue.enqueue(
            try SMSJob(phone: "+8613900139000", text: "real").job(key: "real", now: app.clock.now))
        let sent = SMSTests.Recording()
        let worker = JobWorker(
            queue: app.dependencies.queue, engine: app.dependencies.engine,
            notifier: LogNotifier(logger: app.dependencies.logger),
            sms: sent, clock: { app.clock.now }, logger: app.dependencies.logger)
        #expect(try await worker.runDueJobs() == 2)
        #expect(sent.sent.withLock { $0 } == ["+8613900139000 real"], "the planted job did not run; the real one did")
        let dead = try await app.dependencies.queue.deadJobs(limit: 5)
        #expect(dead.count == 1 && dead[0].lastError?.contains("not sealed") == true, "\(dead)")
        await app.shutdown()
    }

    @Test func valuesSealedInTheOldFormatStillOpenAndRotateKeyBindsThem() async throws {
        let app = try await TestApp.make()
        try await Self.twoOrders(app)
        let order = try #require(try await app.dependencies.store.order(id: 1001))
        let cipher = app.dependencies.store.sealer.cipher
        // As a release before this one stored it: v1, no context.
        try await Self.setData(
            app, order: 1001, try cipher.encryptLegacy(String(decoding: try JSONEncoder().encode(order), as: UTF8.self))
        )
        #expect(try await Self.data(app, order: 1001).hasPrefix("v1.t1."))
        #expect(
            try await app.dependencies.store.order(id: 1001)?.phone.digits == "13800138000",
            "old databases keep working")
        let rotation = try await app.dependencies.store.rotatePersonalData()
        #expect(rotation.orders == 1)
        let resealed = try await Self.data(app, order: 1001)
        #expect(resealed.hasPrefix("v2.t1."))
        #expect(try await app.dependencies.store.order(id: 1001)?.phone.digits == "13800138000")
        try await Self.setData(app, order: 1002, resealed)
        await #expect(throws: FieldCipherError.self) { _ = try await app.dependencies.store.order(id: 1002) }
        await app.shutdown()
    }
}
