import DropMateCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DropMateApp

/// The shop's rules through the staff API: set, read, checked, paused and resumed, items sold out and back; every
/// write audited and reaching the catalog the chat holds. On SQLite, and on PostgreSQL when DATABASE_URL names one.
@Suite struct ShopRulesAPITests {
    static let rules = #"""
        {"hours": {"mon": [{"opens": "10:00", "closes": "14:00"}, {"opens": "17:00", "closes": "02:00"}], "wed": [{"opens": "13:00", "closes": "21:00"}]},
         "delivery_radius_metres": 3000, "minimum_order_fen": 2000, "preparation_minutes": 20, "accepts_orders_for_later": true,
         "delivery_fee": {"bands": [{"up_to_metres": 1000, "fee_fen": 200}, {"fee_fen": 600}]}}
        """#

    @Test func staffSetReadPauseAndSellOutThroughTheAPI() async throws {
        try await Self.exercise(extra: [:])
    }

    @Test(.enabled(if: PostgresTestDatabase.serverURL != nil, "DATABASE_URL names no PostgreSQL"))
    func staffSetReadPauseAndSellOutThroughTheAPIOnPostgreSQL() async throws {
        try await Self.exercise(extra: ["DATABASE_URL": try await PostgresTestDatabase.create()])
    }

    static func exercise(extra: [String: String]) async throws {
        let (app, courier) = try await StaffAPITests.app(extra: extra)
        let engine = app.dependencies.engine
        let time = BusinessTime.shanghai
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            // The demo shop: around the clock, 10 km, free, taking orders at noon on Wednesday 2026-11-25.
            let demo = try await session.call(.get, "/merchants/lanzhou/rules", as: .dispatcher)
            #expect(
                demo.status == 200 && demo.json["delivery_radius_metres"] as? Int == 10_000 && demo.json["hours"] == nil
            )
            #expect(
                demo.json["state"] as? String == "open" && demo.json["minimum_order_fen"] as? Int == 0
                    && demo.json["preparation_minutes"] as? Int == 12)

            let set = try await session.call(
                .put, "/merchants/lanzhou/rules", as: .dispatcher, body: rules, headers: [.idempotencyKey: "rules-1"])
            #expect(set.status == 200, "\(set.text)")
            // Wednesday 12:00: closed until 13:00.
            #expect(
                set.json["state"] as? String == "closed"
                    && set.json["state_until"] as? String == "2026-11-25T13:00:00+08:00")
            let read = try await session.call(.get, "/merchants/lanzhou/rules", as: .admin)
            #expect(read.text == set.text)
            #expect(
                ((read.json["hours"] as? [String: Any])?["mon"] as? [[String: String]])?.last == [
                    "opens": "17:00", "closes": "02:00",
                ])
            let replay = try await session.call(
                .put, "/merchants/lanzhou/rules", as: .dispatcher, body: rules, headers: [.idempotencyKey: "rules-1"])
            #expect(replay.headers[.idempotentReplayed] == "true" && replay.text == set.text)

            // The catalog the chat holds has them at once.
            let merchant = try #require(engine.catalog.merchant(id: "lanzhou"))
            #expect(
                merchant.preparationMinutes == 20 && merchant.rules?.deliveryRadiusMetres == 3000
                    && merchant.rules?.minimumOrder == Money(fen: 2000))
            let line = OrderLine(
                itemID: "tea-egg", name: LocalizedText(zh: "茶叶蛋", en: "tea egg"), quantity: 1,
                unitPrice: Money(fen: 300))
            let verdict = try #require(
                engine.catalog.evaluate(
                    merchantID: "lanzhou", lines: [line], destination: nil, at: app.clock.now, in: time))
            #expect(
                verdict.forLaterAt == TestAccount.start + 3600 && verdict.deliveryFee == Money(fen: 200)
                    && verdict.feeIsFallback)
            #expect(verdict.problems == [.belowMinimum(missing: Money(fen: 1700), minimum: Money(fen: 2000))])

            // 暂停接单 until 15:00, then resumed.
            let paused = try await session.call(
                .post, "/merchants/lanzhou/pause", as: .dispatcher, body: #"{"until": "2026-11-25T07:00:00Z"}"#)
            #expect(
                paused.status == 200 && paused.json["paused"] as? Bool == true
                    && paused.json["state"] as? String == "paused")
            #expect(paused.json["paused_until"] as? String == "2026-11-25T15:00:00+08:00")
            #expect(
                engine.catalog.availability(ofMerchant: "lanzhou", at: app.clock.now, in: time)
                    == .paused(until: TestAccount.start + 3 * 3600, reopensAt: TestAccount.start + 3 * 3600))
            let again = try await session.call(.put, "/merchants/lanzhou/rules", as: .dispatcher, body: rules)
            #expect(again.json["paused"] as? Bool == true, "new rules keep the pause")
            let forever = try await session.call(.post, "/merchants/lanzhou/pause", as: .admin)
            #expect(
                forever.status == 200 && forever.json["paused"] as? Bool == true && forever.json["paused_until"] == nil)
            let resumed = try await session.call(.post, "/merchants/lanzhou/resume", as: .dispatcher)
            #expect(
                resumed.status == 200 && resumed.json["paused"] as? Bool == false
                    && resumed.json["state"] as? String == "closed")
            #expect(engine.catalog.merchant(id: "lanzhou")?.rules?.pause == .off)
            #expect(
                try await session.call(
                    .post, "/merchants/lanzhou/pause", as: .dispatcher, body: #"{"until": "2026-11-25T03:00:00Z"}"#
                ).errorCode == "invalid_rules",
                "a pause that already ended")
            #expect(try await session.call(.post, "/merchants/nowhere/pause", as: .dispatcher).status == 404)
            // A pause that runs out ends by itself: nothing to resume.
            #expect(
                try await session.call(
                    .post, "/merchants/lanzhou/pause", as: .dispatcher, body: #"{"until": "2026-11-25T04:01:00Z"}"#
                ).json["paused"] as? Bool == true)
            app.clock.advance(120)
            let ran = try await session.call(.get, "/merchants/lanzhou/rules", as: .dispatcher)
            #expect(
                ran.json["paused"] as? Bool == false && ran.json["paused_until"] == nil
                    && ran.json["state"] as? String == "closed")
            #expect(
                engine.catalog.availability(ofMerchant: "lanzhou", at: app.clock.now, in: time)
                    == .closed(opensAt: TestAccount.start + 3600))
            #expect(try await session.call(.post, "/merchants/lanzhou/resume", as: .dispatcher).status == 200)

            // 估清 and back.
            let soldOut = try await session.call(.post, "/ads/milk-tea/sold-out", as: .dispatcher)
            #expect(soldOut.status == 200 && soldOut.json["sold_out"] as? Bool == true)
            #expect(engine.catalog.isSoldOut(itemID: "milk-tea"))
            #expect(try await session.call(.get, "/ads/milk-tea", as: .admin).json["sold_out"] as? Bool == true)
            let edited = try await session.call(
                .put, "/ads/milk-tea", as: .dispatcher,
                body:
                    #"{"id": "milk-tea", "merchant_id": "lanzhou", "name_zh": "奶茶", "name_en": "milk tea", "price_fen": 1300}"#
            )
            #expect(edited.json["sold_out"] as? Bool == true, "editing an ad keeps its mark")
            let back = try await session.call(.delete, "/ads/milk-tea/sold-out", as: .dispatcher)
            #expect(
                back.status == 200 && back.json["sold_out"] as? Bool == false
                    && !engine.catalog.isSoldOut(itemID: "milk-tea"))
            #expect(try await session.call(.post, "/ads/nothing/sold-out", as: .dispatcher).status == 404)

            let audit = try await session.call(.get, "/audit?per_page=100", as: .admin)
            let actions = (audit.json["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            for action in ["merchant.rules", "merchant.pause", "merchant.resume", "ad.sold_out", "ad.back"] {
                #expect(actions.contains(action), "no audit entry for \(action)")
            }
            #expect(actions.filter { $0 == "merchant.rules" }.count == 2, "the replayed PUT wrote nothing")
        }
    }

    @Test func rulesThatCannotHoldAreRefusedWithAClearReason() async throws {
        let (app, courier) = try await StaffAPITests.app()
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            func refusal(_ body: String) async throws -> String {
                let answer = try await session.call(.put, "/merchants/lanzhou/rules", as: .dispatcher, body: body)
                #expect(answer.status == 400, "\(body) → \(answer.status)")
                return answer.errorMessage ?? ""
            }
            #expect(
                try await refusal(
                    #"{"hours": {"mon": [{"opens": "10:00", "closes": "14:00"}, {"opens": "13:00", "closes": "15:00"}]}}"#
                ).contains("mon: opening intervals overlap"))
            #expect(
                try await refusal(
                    #"{"hours": {"mon": [{"opens": "22:00", "closes": "03:00"}], "tue": [{"opens": "02:00", "closes": "05:00"}]}}"#
                ).contains("tue: opening intervals overlap"))
            #expect(
                try await refusal(#"{"hours": {"mon": [{"opens": "10:00", "closes": "10:00"}]}}"#).contains(
                    "same minute"))
            #expect(try await refusal(#"{"hours": {"monday": []}}"#).contains("days are mon"))
            #expect(try await refusal(#"{"hours": {"fri": [{"opens": "9:00", "closes": "25:00"}]}}"#).contains("HH:MM"))
            #expect(try await refusal(#"{"minimum_order_fen": -1}"#).contains("minimum order"))
            #expect(try await refusal(#"{"delivery_fee": {"flat_fen": -100}}"#).contains("delivery fee"))
            #expect(
                try await refusal(
                    #"{"delivery_fee": {"bands": [{"up_to_metres": 5000, "fee_fen": 300}, {"up_to_metres": 3000, "fee_fen": 600}]}}"#
                ).contains("increasing order"))
            #expect(
                try await refusal(
                    #"{"delivery_fee": {"bands": [{"fee_fen": 300}, {"up_to_metres": 3000, "fee_fen": 600}]}}"#
                ).contains("only the last"))
            #expect(
                try await refusal(#"{"delivery_fee": {"flat_fen": 100, "bands": [{"fee_fen": 300}]}}"#).contains(
                    "not both"))
            #expect(try await refusal(#"{"delivery_radius_metres": 0}"#).contains("radius"))
            #expect(try await refusal(#"{"preparation_minutes": 241}"#).contains("preparation_minutes"))
            _ = try await refusal(#"{"minimum_order_fen": 99999999999999999999999}"#)  // past Int: a 400, never a crash
            #expect(try await session.call(.put, "/merchants/nowhere/rules", as: .dispatcher, body: "{}").status == 404)
            #expect(try await session.call(.put, "/merchants/lanzhou/rules", as: .courier, body: "{}").status == 403)
            // Nothing refused reached the catalog; `{}` lifts every rule.
            #expect(app.dependencies.engine.catalog.merchant(id: "lanzhou")?.rules == .demo)
            let lifted = try await session.call(.put, "/merchants/lanzhou/rules", as: .dispatcher, body: "{}")
            #expect(
                lifted.status == 200 && lifted.json["delivery_fee"] as? [String: Int] == ["flat_fen": 0]
                    && lifted.json["preparation_minutes"] as? Int == 12)
            #expect(app.dependencies.engine.catalog.merchant(id: "lanzhou")?.rules == .unrestricted)
        }
    }
}
