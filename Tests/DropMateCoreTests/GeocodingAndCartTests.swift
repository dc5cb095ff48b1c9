import Foundation
import Testing

@testable import DropMateCore

/// A typed address measured through the engine's geocoding (`.geocode` → `.addressGeocoded`), and a cart from the
/// menu page becoming the draft: the machine alone.
@Suite struct GeocodingAndCartTests {
    let machine = ConversationMachine()
    static let now = ChatRulesTests.wednesday(12, 0)
    static let radius = ShopRules(deliveryRadiusMetres: 2_000)
    static let near = Coordinate(latitude: 31.2439, longitude: 121.4737)  // 1.5 km north of the noodle house
    static let far = Coordinate(latitude: 31.3384, longitude: 121.4737)  // 12 km

    func facts(
        _ catalog: Catalog = ChatRulesTests.catalog(radius), geocodes: Bool = true, orders: [Order] = []
    ) -> ConversationFacts {
        ConversationFacts(now: Self.now, catalog: catalog, orders: orders, geocodes: geocodes)
    }

    func text(_ step: ConversationStep, _ language: Language = .zh) -> String {
        ReplyRenderer().render(step.replies, language: language, catalog: ChatRulesTests.catalog(Self.radius)).flatMap {
            if case .text(let t) = $0 { t } else { nil }
        } ?? ""
    }

    /// Two noodles, waiting for an address.
    func awaitingAddress(phone: Bool = false, facts: ConversationFacts) -> ConversationState {
        var state = ConversationState.new(at: Self.now)
        if phone { state.profile.phone = PhoneNumber("13800138000") }
        return machine.step(customer: "o_a", state: state, input: .text("2份牛肉面"), facts: facts).state
    }

    func geocodeRequest(_ step: ConversationStep) -> String? {
        for effect in step.effects { if case .geocode(let text) = effect { return text } }
        return nil
    }

    @Test func aTypedAddressIsGeocodedBeforeTheChatGoesOnAndOneBeyondTheRadiusIsRefusedBeforeThePhone() {
        let facts = facts()
        let typed = machine.step(
            customer: "o_a", state: awaitingAddress(facts: facts), input: .text("宝山区牡丹江路1000号"), facts: facts)
        #expect(geocodeRequest(typed) == "宝山区牡丹江路1000号")
        #expect(typed.replies.isEmpty, "nothing is said until the address is measured")
        let far = machine.step(
            customer: "o_a", state: typed.state, input: .addressGeocoded(text: "宝山区牡丹江路1000号", Self.far), facts: facts)
        #expect(text(far).contains("离店 12 公里，超出配送范围（2 公里内）"))
        #expect(
            text(far).contains("请发送送餐地址") && !text(far).contains("手机号"), "asked for another address, not for a phone")
        #expect(
            far.state.draft?.address == nil && far.state.profile.lastAddress == nil,
            "the address beyond the radius is forgotten")
        #expect(geocodeRequest(far) == nil)

        let next = machine.step(customer: "o_a", state: far.state, input: .text("黄浦区人民大道200号"), facts: facts)
        #expect(geocodeRequest(next) == "黄浦区人民大道200号")
        let near = machine.step(
            customer: "o_a", state: next.state, input: .addressGeocoded(text: "黄浦区人民大道200号", Self.near), facts: facts)
        #expect(text(near).contains("送餐地址：黄浦区人民大道200号") && text(near).contains("手机号"))
        #expect(
            near.state.draft?.address?.coordinate == Self.near,
            "the typed address keeps the coordinate it was placed at")
        let phone = machine.step(customer: "o_a", state: near.state, input: .text("13800138000"), facts: facts)
        let request = phone.effects.compactMap { if case .placeOrder(let request) = $0 { request } else { nil } }.first
        #expect(request?.distanceMetres == 1501 && request?.address.coordinate == Self.near)
    }

    @Test func anAddressNoProviderPlacesIsTakenWithItsDistanceUnknownAndAskedAboutOnce() {
        let facts = facts()
        let typed = machine.step(
            customer: "o_a", state: awaitingAddress(phone: true, facts: facts), input: .text("火星路1号"), facts: facts)
        #expect(geocodeRequest(typed) == "火星路1号")
        let unknown = machine.step(
            customer: "o_a", state: typed.state, input: .addressGeocoded(text: "火星路1号", nil), facts: facts)
        let request = unknown.effects.compactMap { if case .placeOrder(let request) = $0 { request } else { nil } }
            .first
        #expect(
            request != nil && request?.distanceMetres == nil && request?.address.coordinate == nil,
            "accepted, unmeasured")
        #expect(geocodeRequest(unknown) == nil, "the same address is not geocoded again in this draft")
    }

    @Test func anAnswerForAnAddressTheDraftNoLongerHasChangesNothing() {
        let facts = facts()
        let typed = machine.step(
            customer: "o_a", state: awaitingAddress(facts: facts), input: .text("宝山区牡丹江路1000号"), facts: facts)
        var moved = typed.state
        moved.draft?.address = DeliveryAddress(text: "黄浦区人民大道200号")
        let late = machine.step(
            customer: "o_a", state: moved, input: .addressGeocoded(text: "宝山区牡丹江路1000号", Self.far), facts: facts)
        #expect(late.replies.isEmpty && late.effects.isEmpty && late.state.draft == moved.draft)
    }

    @Test func withoutAMapProviderATypedAddressIsTakenAtOnceAsBefore() {
        let facts = facts(geocodes: false)
        let typed = machine.step(
            customer: "o_a", state: awaitingAddress(facts: facts), input: .text("火星路1号"), facts: facts)
        #expect(geocodeRequest(typed) == nil)
        #expect(text(typed).contains("送餐地址：火星路1号"))
    }

    @Test func aWeChatLocationIsNeverGeocoded() {
        let facts = facts()
        let located = machine.step(
            customer: "o_a", state: awaitingAddress(facts: facts), input: .location(Self.near, label: "人民广场"),
            facts: facts)
        #expect(geocodeRequest(located) == nil && text(located).contains("送餐地址：人民广场"))
    }

    // MARK: - A cart from the menu page

    @Test func aCartBecomesTheDraftAtCatalogPricesAndTheChatAsksOnlyWhatIsMissing() {
        let facts = facts(ChatRulesTests.catalog(.unrestricted), geocodes: false)
        var state = ConversationState.new(at: Self.now)
        state.profile.phone = PhoneNumber("13800138000")
        let cart = Cart(
            merchantID: "lanzhou",
            lines: [.init(itemID: "beef-noodles", quantity: 2), .init(itemID: "milk-tea", quantity: 1)])
        let step = machine.step(customer: "o_a", state: state, input: .cart(cart), facts: facts)
        #expect(step.state.draft?.lines.map(\.itemID) == ["beef-noodles", "milk-tea"])
        #expect(step.state.draft?.total == Money(fen: 2 * 1800 + 1200), "prices from the catalog")
        #expect(
            text(step).contains("请发送送餐地址") && !text(step).contains("手机号"),
            "the phone is on file: only the address is asked")
    }

    @Test func aCartReplacesAnOpenDraftOfTheSameShopKeepingItsAddress() {
        let facts = facts(ChatRulesTests.catalog(.unrestricted), geocodes: false)
        var state = awaitingAddress(facts: facts)
        state = machine.step(customer: "o_a", state: state, input: .text("黄浦区人民大道200号"), facts: facts).state
        let step = machine.step(
            customer: "o_a", state: state,
            input: .cart(Cart(merchantID: "lanzhou", lines: [.init(itemID: "milk-tea", quantity: 3)])), facts: facts)
        #expect(
            step.state.draft?.lines.map(\.quantity) == [3] && step.state.draft?.lines.first?.itemID == "milk-tea",
            "not added to the typed 2 noodles")
        #expect(step.state.draft?.address?.text == "黄浦区人民大道200号")
        #expect(text(step).contains("手机号"))
    }

    @Test func aCartWithASoldOutItemOrAnotherShopsItemOrTooManyIsRefusedAndChangesNothing() {
        let facts = facts(ChatRulesTests.catalog(.unrestricted, soldOut: ["tea-egg"]), geocodes: false)
        let state = ConversationState.new(at: Self.now)
        let sold = machine.step(
            customer: "o_a", state: state,
            input: .cart(Cart(merchantID: "lanzhou", lines: [.init(itemID: "tea-egg", quantity: 1)])), facts: facts)
        #expect(sold.state.draft == nil && text(sold).contains("茶叶蛋卖完了"))
        let other = machine.step(
            customer: "o_a", state: state,
            input: .cart(Cart(merchantID: "lanzhou", lines: [.init(itemID: "pork-dumplings", quantity: 1)])),
            facts: facts)
        #expect(other.state.draft == nil && other.effects.isEmpty)
        let many = machine.step(
            customer: "o_a", state: state,
            input: .cart(Cart(merchantID: "lanzhou", lines: [.init(itemID: "milk-tea", quantity: 21)])), facts: facts)
        #expect(many.state.draft == nil && text(many).contains("20"))
        let twice = machine.step(
            customer: "o_a", state: state,
            input: .cart(
                Cart(
                    merchantID: "lanzhou",
                    lines: [.init(itemID: "milk-tea", quantity: 15), .init(itemID: "milk-tea", quantity: 15)])),
            facts: facts)
        #expect(twice.state.draft == nil, "one item twice counts together against the largest quantity")
    }

    @Test func aCartWhileAnOrderAwaitsConfirmationPointsToThatOrder() {
        let facts = facts(ChatRulesTests.catalog(.unrestricted), geocodes: false)
        var state = ConversationState.new(at: Self.now)
        state.pendingOrderID = 1001
        let step = machine.step(
            customer: "o_a", state: state,
            input: .cart(Cart(merchantID: "lanzhou", lines: [.init(itemID: "milk-tea", quantity: 1)])), facts: facts)
        #expect(step.state.draft == nil && step.state.pendingOrderID == 1001)
        #expect(step.replies == [.pendingReminder(orderID: 1001)])
    }

    @Test func thePausedShopRefusesACart() {
        let facts = facts(ChatRulesTests.catalog(ShopRules(pause: .untilResumed)), geocodes: false)
        let step = machine.step(
            customer: "o_a", state: .new(at: Self.now),
            input: .cart(Cart(merchantID: "lanzhou", lines: [.init(itemID: "milk-tea", quantity: 1)])), facts: facts)
        #expect(step.state.draft == nil && text(step).contains("暂停接单"))
    }
}
