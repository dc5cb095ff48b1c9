@testable import DropMateApp
import DropMateCore
import Foundation
import Testing

/// "几点关门" is answered from the merchants' own data: staff set a shop's hours, and the answer follows.
@Suite struct OpeningHoursTests {
    @Test func hoursStaffSetAreWhatCustomersAreTold() async throws {
        let app = try await TestApp.make()
        do {
            let courier = try await app.dependencies.couriers.create(name: "王师傅", phone: nil)
            try await app.live { client in
                let session = try await StaffSession.start(app, client: client, courierID: courier.courier.id)
                let merchant = #"{"id": "dumplings", "name_zh": "幸福饺子馆", "name_en": "Happy Dumplings", "latitude": 31.2243, "longitude": 121.469, "preparation_minutes": 15, "opening_hours": "10:00-21:30"}"#
                let saved = try await session.call(.put, "/merchants/dumplings", as: .dispatcher, body: merchant)
                #expect(saved.status == 200 && saved.json["opening_hours"] as? String == "10:00-21:30")
                let bad = merchant.replacingOccurrences(of: "10:00-21:30", with: "late")
                #expect(try await session.call(.put, "/merchants/dumplings", as: .dispatcher, body: bad).status == 400)
                let reply = try await app.dependencies.engine.handle(
                    IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "o_a:1", input: .text("几点关门")), deadline: .seconds(60))
                #expect(reply == .text("营业时间：\n· 兰州牛肉面馆 全天接单\n· 幸福饺子馆 10:00-21:30"))
            }
        } catch {
            await app.shutdown()
            throw error
        }
        await app.shutdown()
    }
}
