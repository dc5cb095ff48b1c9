import DropMateCore
import Foundation
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// "几点关门" is answered from the merchants' own data: staff set a shop's hours, and the answer follows.
@Suite struct OpeningHoursTests {
    @Test func hoursStaffSetAreWhatCustomersAreTold() async throws {
        let app = try await TestApp.make()
        do {
            let courier = try await app.dependencies.couriers.create(name: "王师傅", phone: nil)
            try await app.live { client in
                let session = try await StaffSession.start(app, client: client, courierID: courier.courier.id)
                let hours =
                    #"{"hours": {"mon": [{"opens": "10:00", "closes": "21:30"}], "tue": [{"opens": "10:00", "closes": "21:30"}], "wed": [{"opens": "10:00", "closes": "21:30"}], "thu": [{"opens": "10:00", "closes": "21:30"}], "fri": [{"opens": "10:00", "closes": "21:30"}], "sat": [{"opens": "10:00", "closes": "21:30"}], "sun": [{"opens": "10:00", "closes": "21:30"}]}, "delivery_radius_metres": 10000}"#
                let saved = try await session.call(.put, "/merchants/dumplings/rules", as: .dispatcher, body: hours)
                #expect(saved.status == 200, "\(saved.text)")
                let reply = try await app.dependencies.engine.handle(
                    IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "o_a:1", input: .text("几点关门")),
                    deadline: .seconds(60)
                ).reply
                #expect(reply == .text("营业时间：\n· 兰州牛肉面馆 全天接单\n· 幸福饺子馆 每天 10:00-21:30"))
            }
        } catch {
            await app.shutdown()
            throw error
        }
        await app.shutdown()
    }
}
