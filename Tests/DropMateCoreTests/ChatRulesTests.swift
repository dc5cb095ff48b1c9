import Foundation
import Testing

@testable import DropMateCore

/// The shop's rules as the chat applies them: the machine alone, on the demo catalog with the noodle house's rules
/// replaced. Boundaries: the minute a shop opens and closes, midnight, exactly on the radius, exactly the minimum.
@Suite struct ChatRulesTests {
    let machine = ConversationMachine()
    /// Wednesday 2026-11-25, Shanghai.
    static func wednesday(_ hour: Int, _ minute: Int, _ second: Int = 0) -> Int64 {
        shanghai(2026, 11, 25, hour, minute, second)
    }
    static let shop = DemoCatalog.noodleHouse.location
    /// About 3 km due north of the shop.
    static let north = Coordinate(latitude: 31.2574, longitude: 121.4737)
    static var metresNorth: Int { Int(shop.distance(to: north).rounded()) }

    static func catalog(_ rules: ShopRules, soldOut: Set<String> = []) -> Catalog {
        let base = DemoCatalog.catalog
        let merchants = base.merchants.map { merchant in
            var changed = merchant
            if merchant.id == "lanzhou" { changed.rules = rules }
            return changed
        }
        let items = base.items.map { item in
            var changed = item
            if soldOut.contains(item.id) { changed.soldOut = true }
            return changed
        }
        return Catalog(merchants: merchants, items: items)
    }

    func facts(_ catalog: Catalog, at now: Int64, orders: [Order] = []) -> ConversationFacts {
        ConversationFacts(now: now, catalog: catalog, orders: orders)
    }

    /// A customer with a phone on file, so a draft with an address becomes an order request at once.
    func customer(at now: Int64) -> ConversationState {
        var state = ConversationState.new(at: now)
        state.profile.phone = PhoneNumber("13800138000")
        return state
    }

    func placed(_ step: ConversationStep) -> OrderRequest? {
        for effect in step.effects { if case .placeOrder(let request) = effect { return request } }
        return nil
    }

    static let lunch = ShopRules(hours: .daily([OpeningInterval(opens: 10 * 60, closes: 14 * 60)]))

    @Test func theMinuteTheShopOpensTakesTheOrderAndTheMinuteBeforeSaysWhenItOpens() {
        let catalog = Self.catalog(Self.lunch)
        let before = machine.step(
            customer: "o_a", state: customer(at: Self.wednesday(9, 59, 59)), input: .text("2 份牛肉面"),
            facts: facts(catalog, at: Self.wednesday(9, 59, 59)))
        #expect(before.state.draft == nil)
        #expect(before.replies == [.rules(.closed(shop: DemoCatalog.noodleHouse.name, opensAt: Self.wednesday(10, 0)))])
        let text = ReplyRenderer().render(before.replies, language: .zh, catalog: catalog)
        #expect(text == .text("兰州牛肉面馆现在休息，周三 10:00 开门，到时再来点吧。"))
        let opening = machine.step(
            customer: "o_a", state: customer(at: Self.wednesday(10, 0)), input: .text("2 份牛肉面"),
            facts: facts(catalog, at: Self.wednesday(10, 0)))
        #expect(opening.state.draft?.lines.map(\.quantity) == [2])
    }

    @Test func theMinuteTheShopClosesRefusesAndSaysTheNextOpening() {
        let catalog = Self.catalog(Self.lunch)
        let last = machine.step(
            customer: "o_a", state: customer(at: Self.wednesday(13, 59, 59)), input: .text("2 份牛肉面"),
            facts: facts(catalog, at: Self.wednesday(13, 59, 59)))
        #expect(last.state.draft != nil)
        let closing = machine.step(
            customer: "o_a", state: customer(at: Self.wednesday(14, 0)), input: .text("2 份牛肉面"),
            facts: facts(catalog, at: Self.wednesday(14, 0)))
        #expect(closing.state.draft == nil)
        #expect(
            closing.replies == [
                .rules(.closed(shop: DemoCatalog.noodleHouse.name, opensAt: shanghai(2026, 11, 26, 10, 0)))
            ])
        #expect(
            ReplyRenderer().render(closing.replies, language: .en, catalog: catalog)
                == .text("Lanzhou Noodle House is closed now; it opens Thursday at 10:00. Please order then."))
    }

    @Test func aShopOpenPastMidnightTakesOrdersAfterMidnightAndRefusesAtItsClosingMinute() {
        let night = Self.catalog(ShopRules(hours: .daily([OpeningInterval(opens: 18 * 60, closes: 2 * 60)])))
        let afterMidnight = shanghai(2026, 11, 26, 0, 30)
        #expect(
            machine.step(
                customer: "o_a", state: customer(at: afterMidnight), input: .text("2 份牛肉面"),
                facts: facts(night, at: afterMidnight)
            ).state.draft != nil)
        let closing = shanghai(2026, 11, 26, 2, 0)
        let refused = machine.step(
            customer: "o_a", state: customer(at: closing), input: .text("2 份牛肉面"), facts: facts(night, at: closing))
        #expect(
            refused.replies == [
                .rules(.closed(shop: DemoCatalog.noodleHouse.name, opensAt: shanghai(2026, 11, 26, 18, 0)))
            ])
    }

    @Test func aClosedShopThatTakesOrdersForLaterPlacesItForItsOpeningAndPromisesFromThen() throws {
        let catalog = Self.catalog(ShopRules(hours: Self.lunch.hours, acceptsOrdersForLater: true))
        let night = Self.wednesday(23, 0)
        var step = machine.step(
            customer: "o_a", state: customer(at: night), input: .text("2 份牛肉面"), facts: facts(catalog, at: night))
        let opens = shanghai(2026, 11, 26, 10, 0)
        #expect(step.replies.contains(.rules(.forLater(shop: DemoCatalog.noodleHouse.name, opensAt: opens))))
        step = machine.step(
            customer: "o_a", state: step.state, input: .location(Self.north, label: "北边"),
            facts: facts(catalog, at: night))
        let request = try #require(placed(step))
        #expect(request.scheduledFor == opens)
        let order = request.order(id: 1001, createdAt: night)
        let summary = machine.step(
            customer: "o_a", state: step.state, input: .orderPlaced(order),
            facts: facts(catalog, at: night, orders: [order]))
        let confirmed = machine.step(
            customer: "o_a", state: summary.state, input: .text("确认"),
            facts: facts(catalog, at: night + 60, orders: [order]))
        guard case .saveOrder(let saved)? = confirmed.effects.first else {
            Issue.record("not confirmed: \(confirmed.replies)"); return
        }
        // Made when it opens: 12 minutes of preparation and 5 to pick up after 10:00, then the ride.
        #expect(try #require(saved.promisedAt) > opens + 17 * 60)
    }

    @Test func aLocationExactlyOnTheRadiusIsTakenAndOneMetreBeyondIsRefusedBeforeThePhone() throws {
        let metres = Self.metresNorth
        let edge = Self.catalog(ShopRules(deliveryRadiusMetres: metres))
        let noon = Self.wednesday(12, 0)
        var state = ConversationState.new(at: noon)
        state = machine.step(customer: "o_a", state: state, input: .text("2 份牛肉面"), facts: facts(edge, at: noon)).state
        let within = machine.step(
            customer: "o_a", state: state, input: .location(Self.north, label: "北边"), facts: facts(edge, at: noon))
        #expect(within.replies.last == .askPhone && within.state.draft?.address != nil)

        let short = Self.catalog(ShopRules(deliveryRadiusMetres: metres - 1))
        let beyond = machine.step(
            customer: "o_a", state: state, input: .location(Self.north, label: "北边"), facts: facts(short, at: noon))
        #expect(
            beyond.replies == [
                .rules(.beyondRadius(metres: metres, radiusMetres: metres - 1)), .askAddress(previous: nil),
            ])
        #expect(beyond.state.draft?.address == nil && beyond.state.draft?.lines.count == 1)
    }

    @Test func exactlyTheMinimumGoesOnAndOneFenLessSaysWhatIsMissing() {
        let noon = Self.wednesday(12, 0)
        let exact = Self.catalog(ShopRules(minimumOrder: Money(fen: 3600)))
        let met = machine.step(
            customer: "o_a", state: .new(at: noon), input: .text("2 份牛肉面"), facts: facts(exact, at: noon))
        #expect(met.replies.last == .askAddress(previous: nil))
        let higher = Self.catalog(ShopRules(minimumOrder: Money(fen: 3601)))
        let short = machine.step(
            customer: "o_a", state: .new(at: noon), input: .text("2 份牛肉面"), facts: facts(higher, at: noon))
        #expect(short.replies.last == .rules(.belowMinimum(missing: Money(fen: 1), minimum: Money(fen: 3601))))
        #expect(short.state.draft != nil, "the draft waits for more items")
    }

    @Test func aSoldOutItemIsNamedWithTheRestOfTheMenuAndNothingIsAdded() {
        let noon = Self.wednesday(12, 0)
        let catalog = Self.catalog(.unrestricted, soldOut: ["beef-noodles"])
        let step = machine.step(
            customer: "o_a", state: .new(at: noon), input: .text("2 份牛肉面 1 杯奶茶"), facts: facts(catalog, at: noon))
        #expect(step.state.draft == nil)
        guard case .rules(.soldOut(let names, let rest))? = step.replies.first else {
            Issue.record("\(step.replies)"); return
        }
        #expect(names == [LocalizedText(zh: "牛肉面", en: "beef noodles")] && rest.map(\.id) == ["milk-tea", "tea-egg"])
    }

    @Test func theOrderCarriesTheBandsFeeAndAConfirmationAfterAPauseCancelsIt() throws {
        let noon = Self.wednesday(12, 0)
        let banded = ShopRules(
            deliveryFee: .bands([
                FeeBand(upToMetres: 2000, fee: Money(fen: 300)), FeeBand(upToMetres: nil, fee: Money(fen: 800)),
            ]))
        let catalog = Self.catalog(banded)
        var step = machine.step(
            customer: "o_a", state: customer(at: noon), input: .text("2 份牛肉面"), facts: facts(catalog, at: noon))
        step = machine.step(
            customer: "o_a", state: step.state, input: .location(Self.north, label: "北边"),
            facts: facts(catalog, at: noon))
        let request = try #require(placed(step))
        #expect(request.deliveryFee == Money(fen: 800) && request.distanceMetres == Self.metresNorth)
        let order = request.order(id: 1001, createdAt: noon)
        #expect(order.itemsTotal == Money(fen: 3600) && order.total == Money(fen: 4400))
        let summary = machine.step(
            customer: "o_a", state: step.state, input: .orderPlaced(order),
            facts: facts(catalog, at: noon, orders: [order]))

        var pausedRules = banded
        pausedRules.pause = .untilResumed
        let paused = Self.catalog(pausedRules)
        let confirm = machine.step(
            customer: "o_a", state: summary.state, input: .text("确认"),
            facts: facts(paused, at: noon + 60, orders: [order]))
        guard case .saveOrder(let saved)? = confirm.effects.first else { Issue.record("\(confirm.effects)"); return }
        #expect(saved.status == .cancelled && saved.cancelReason == "shop paused")
        #expect(confirm.replies.first == .rules(.cannotConfirm(orderID: 1001)))

        // The fee went up between the summary and the confirmation: the order is placed again for a new summary.
        let dearer = Self.catalog(ShopRules(deliveryFee: .flat(Money(fen: 1000))))
        let changed = machine.step(
            customer: "o_a", state: summary.state, input: .text("确认"),
            facts: facts(dearer, at: noon + 60, orders: [order]))
        #expect(changed.replies.first == .rules(.changedSinceSummary(orderID: 1001)))
        #expect(placed(changed)?.deliveryFee == Money(fen: 1000))
    }

    @Test func ordersStoredBeforeFeesDecodeWithAFreeDeliveryAndTheirItemsAsTotal() throws {
        var order = Order(
            id: 1, customer: "o", merchantID: "lanzhou",
            lines: [
                OrderLine(itemID: "x", name: LocalizedText(zh: "x", en: "x"), quantity: 2, unitPrice: Money(fen: 500))
            ],
            address: DeliveryAddress(text: "somewhere"), phone: PhoneNumber("13800138000")!, language: .zh, createdAt: 0
        )
        order.deliveryFee = Money(fen: 300)
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(order)) as! [String: Any]
        #expect(json["deliveryFee"] as? Int == 300)
        let roundTrip = try JSONDecoder().decode(Order.self, from: JSONEncoder().encode(order))
        #expect(roundTrip == order && roundTrip.total == Money(fen: 1300))
        json.removeValue(forKey: "deliveryFee")
        let old = try JSONDecoder().decode(Order.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old.deliveryFee == .zero && old.total == Money(fen: 1000) && old.itemsTotal == Money(fen: 1000))
    }
}
