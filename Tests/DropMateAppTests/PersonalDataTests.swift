import DropMateCore
import DropMateStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing

@testable import DropMateApp
@testable import DropMateEngine
@testable import DropMateOutbound

/// Phone numbers and addresses: sealed at rest, found by keyed hash, resealed on rotation, never logged.
@Suite struct PersonalDataTests {
    static let phone = "13800138000", courierPhone = "13900139000", place = "人民广场"

    static func rawValues(_ app: TestApp) async throws -> [String] {
        let db = app.dependencies.backend.reader
        var values: [String] = []
        for (table, column) in [
            ("orders", "data"), ("customers", "state"), ("handled_messages", "reply"), ("couriers", "phone"),
        ] {
            values += try await db.raw(
                "SELECT \(ident: column) AS v FROM \(ident: table) WHERE \(ident: column) IS NOT NULL"
            ).all().map { try $0.decode(column: "v", as: String.self) }
        }
        return values
    }

    @Test func phonesAndAddressesAreSealedAtRestAndFoundByKeyedHash() async throws {
        let (app, courier) = try await StaffAPITests.app()
        let values = try await Self.rawValues(app)
        #expect(values.count >= 8)
        for value in values {
            #expect(
                !value.contains(Self.phone) && !value.contains(Self.courierPhone) && !value.contains(Self.place),
                "in the clear: \(value.prefix(60))")
            #expect(value.hasPrefix("v2.t1."), "not sealed: \(value.prefix(20))")
        }
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            #expect(
                try await session.call(.get, "/orders?phone=138-0013-8000", as: .dispatcher).json["total"] as? Int == 1)
            #expect(
                try await session.call(.get, "/orders?phone=13800138001", as: .dispatcher).json["total"] as? Int == 0)
        }
    }

    @Test func rotationResealsEverythingUnderTheNewKeyAndTheOldKeyCanThenGo() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dropmate-rotate-\(UUID().uuidString)"
        ).path
        let old = TestAccount.piiKeys
        let new = "t2:" + Data((0..<32).map { UInt8(255 - $0 * 5) }).base64EncodedString()
        let first = try await TestApp.make(directory: directory)
        _ = try await CourierFlowTests.dispatchedOrder(first)
        await first.shutdown(keepingFiles: true)

        let rotating = try await TestApp.make(extra: ["DROPMATE_PII_KEYS": "\(new),\(old)"], directory: directory)
        let rotation = try await rotating.dependencies.store.rotatePersonalData()
        #expect(rotation.orders == 1 && rotation.customers >= 1 && rotation.answers >= 3 && rotation.couriers == 1)
        #expect(try await Self.rawValues(rotating).allSatisfy { $0.hasPrefix("v2.t2.") })
        #expect(try await rotating.dependencies.store.rotatePersonalData() == .init(), "a second run has nothing to do")
        await rotating.shutdown(keepingFiles: true)

        let rotated = try await TestApp.make(extra: ["DROPMATE_PII_KEYS": new], directory: directory)
        #expect(try await rotated.dependencies.engine.order(id: 1001)?.phone.digits == Self.phone)
        #expect(try await rotated.dependencies.store.courier(id: 1)?.phone?.digits == Self.courierPhone)
        await rotated.shutdown()
    }

    @Test func noPhoneNumberPasswordOrTokenReachesTheLogs() async throws {
        let logs = CapturedLogs()
        let (app, courier) = try await StaffAPITests.app(logger: logs.logger)
        let secrets: [String] = try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            _ = try await session.call(
                .post, "/auth/login", body: #"{"username": "admin1", "password": "wrong password 12345"}"#)
            _ = try await session.call(.get, "/audit", as: .courier)  // denied: logged
            _ = try await session.call(
                .post, "/couriers", as: .admin, body: #"{"name": "Zhao", "phone": "13700137000"}"#)
            _ = try await session.call(.get, "/orders?phone=13800138000", as: .admin)
            _ = try await session.call(.post, "/orders/1001/deliver", as: .dispatcher)
            let worker = JobWorker(
                queue: app.dependencies.queue, engine: app.dependencies.engine,
                notifier: LogNotifier(logger: logs.logger),
                sms: LogSMS(logger: logs.logger), clock: { app.clock.now }, logger: logs.logger)
            _ = try await worker.runDueJobs()
            return Array(session.tokens.values)
        }
        let lines = logs.all
        #expect(lines.count > 5)
        #expect(lines.contains { $0.contains("denied") && $0.contains("courier1") }, "a denied call is logged")
        for line in lines {
            for secret in [Self.phone, Self.courierPhone, "13700137000", StaffSession.password, "wrong password 12345"]
                + secrets
            {
                #expect(!line.contains(secret), "leaked into the log: \(line)")
            }
        }
    }
}
