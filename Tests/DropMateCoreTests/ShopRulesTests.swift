import Foundation
import Testing

@testable import DropMateCore

/// A draft against a merchant's rules: radius, minimum, fee bands, sold-out items, orders for later, the total.
@Suite struct ShopRulesTests {
    let time = BusinessTime.shanghai
    static let shop = DemoCatalog.noodleHouse.location
    /// 人民广场, about 940 m from the noodle house.
    static let square = Coordinate(latitude: 31.2243, longitude: 121.4805)
    static var metresToSquare: Int { Int(shop.distance(to: square).rounded()) }
    static let noon = shanghai(2026, 11, 25, 12, 0)

    static func line(_ id: String = "beef-noodles", fen: Int = 1800, quantity: Int = 1) -> OrderLine {
        OrderLine(itemID: id, name: LocalizedText(zh: id, en: id), quantity: quantity, unitPrice: Money(fen: fen))
    }

    func check(
        _ rules: ShopRules, lines: [OrderLine] = [line()], to destination: Coordinate? = square,
        soldOut: Set<String> = [],
        at now: Int64 = noon
    ) -> RulesVerdict {
        rules.evaluate(
            RulesDraft(lines: lines, destination: destination), shop: Self.shop, preparationMinutes: 12,
            soldOut: soldOut, at: now, in: time)
    }

    @Test func exactlyOnTheRadiusIsWithinAndOneMetreLessIsBeyond() {
        let distance = Self.metresToSquare
        #expect((900...1000).contains(distance))
        let onTheEdge = check(ShopRules(deliveryRadiusMetres: distance))
        #expect(onTheEdge.distance == .within(metres: distance) && onTheEdge.isAccepted)
        let short = check(ShopRules(deliveryRadiusMetres: distance - 1))
        #expect(short.distance == .beyond(metres: distance, radiusMetres: distance - 1))
        #expect(short.problems == [.beyondRadius(metres: distance, radiusMetres: distance - 1)])
        // Beijing from a Shanghai shop.
        let beijing = check(ShopRules.demo, to: Coordinate(latitude: 39.9042, longitude: 116.4074))
        #expect(beijing.distance.metres.map { $0 > 1_000_000 } == true && !beijing.isAccepted)
    }

    @Test func anAddressWithoutACoordinateIsAcceptedAndFlaggedAsUnmeasured() {
        let unknown = check(
            ShopRules(
                deliveryRadiusMetres: 100,
                deliveryFee: .bands([
                    FeeBand(upToMetres: 3000, fee: Money(fen: 300)), FeeBand(upToMetres: nil, fee: Money(fen: 800)),
                ])),
            to: nil)
        #expect(unknown.distance == .unknown && unknown.distanceUnknown && unknown.isAccepted)
        #expect(unknown.deliveryFee == Money(fen: 300) && unknown.feeIsFallback, "the first band's fee, flagged")
        // A forged coordinate off the Earth is no distance either.
        #expect(
            check(ShopRules(deliveryRadiusMetres: 100), to: Coordinate(latitude: 91, longitude: 0)).distance == .unknown
        )
    }

    @Test func exactlyTheMinimumIsEnoughAndBelowItSaysHowMuchIsMissing() {
        let rules = ShopRules(minimumOrder: Money(fen: 2000))
        #expect(check(rules, lines: [Self.line(fen: 1000, quantity: 2)]).minimum == .met)
        let short = check(rules, lines: [Self.line("tea-egg", fen: 300)])
        #expect(short.minimum == .short(by: Money(fen: 1700)))
        #expect(short.problems == [.belowMinimum(missing: Money(fen: 1700), minimum: Money(fen: 2000))])
        #expect(check(rules, lines: [Self.line(fen: 1999)]).minimum == .short(by: Money(fen: 1)))
    }

    @Test func aDistanceOnABandsEdgePaysThatBandAndOneMetreMorePaysTheNext() {
        let fee = DeliveryFee.bands([
            FeeBand(upToMetres: 3000, fee: Money(fen: 300)), FeeBand(upToMetres: 5000, fee: Money(fen: 600)),
            FeeBand(upToMetres: nil, fee: Money(fen: 1000)),
        ])
        #expect(fee.fee(forMetres: 0) == (Money(fen: 300), false))
        #expect(fee.fee(forMetres: 3000) == (Money(fen: 300), false))
        #expect(fee.fee(forMetres: 3001) == (Money(fen: 600), false))
        #expect(fee.fee(forMetres: 5000) == (Money(fen: 600), false))
        #expect(fee.fee(forMetres: 5001) == (Money(fen: 1000), false))
        let closed = DeliveryFee.bands([
            FeeBand(upToMetres: 3000, fee: Money(fen: 300)), FeeBand(upToMetres: 5000, fee: Money(fen: 600)),
        ])
        #expect(closed.fee(forMetres: 9000) == (Money(fen: 600), false), "past the last band: the last band's fee")
        // Through evaluate, with the square exactly on a band's edge.
        let edge = Self.metresToSquare
        let verdict = check(
            ShopRules(
                deliveryFee: .bands([
                    FeeBand(upToMetres: edge, fee: Money(fen: 200)), FeeBand(upToMetres: nil, fee: Money(fen: 500)),
                ])))
        #expect(verdict.deliveryFee == Money(fen: 200) && !verdict.feeIsFallback)
        #expect(verdict.subtotal == Money(fen: 1800) && verdict.total == Money(fen: 2000))
        let beyondEdge = check(
            ShopRules(
                deliveryFee: .bands([
                    FeeBand(upToMetres: edge - 1, fee: Money(fen: 200)), FeeBand(upToMetres: nil, fee: Money(fen: 500)),
                ])))
        #expect(beyondEdge.deliveryFee == Money(fen: 500) && beyondEdge.total == Money(fen: 2300))
        #expect(check(ShopRules(deliveryFee: .flat(Money(fen: 400))), to: nil).deliveryFee == Money(fen: 400))
    }

    @Test func feesAndBandsStaffSendAreChecked() {
        #expect(DeliveryFee.flat(Money(fen: -1)).problem == .invalidFee)
        #expect(DeliveryFee.bands([]).problem == .invalidBands)
        #expect(
            DeliveryFee.bands([
                FeeBand(upToMetres: 5000, fee: Money(fen: 300)), FeeBand(upToMetres: 3000, fee: Money(fen: 600)),
            ]).problem == .invalidBands)
        #expect(
            DeliveryFee.bands([
                FeeBand(upToMetres: 3000, fee: Money(fen: 300)), FeeBand(upToMetres: 3000, fee: Money(fen: 600)),
            ]).problem == .invalidBands)
        #expect(
            DeliveryFee.bands([
                FeeBand(upToMetres: nil, fee: Money(fen: 300)), FeeBand(upToMetres: 3000, fee: Money(fen: 600)),
            ]).problem == .invalidBands)
        #expect(DeliveryFee.bands([FeeBand(upToMetres: 3000, fee: Money(fen: -5))]).problem == .invalidFee)
        #expect(ShopRules(deliveryRadiusMetres: 0).problem == .invalidRadius)
        #expect(ShopRules(minimumOrder: Money(fen: -1)).problem == .invalidMinimum)
        #expect(ShopRules.demo.problem == nil)
    }

    @Test func soldOutItemsInTheDraftAreNamed() {
        let verdict = check(
            .unrestricted, lines: [Self.line(), Self.line("milk-tea", fen: 1200), Self.line("milk-tea", fen: 1200)],
            soldOut: ["milk-tea", "tea-egg"])
        #expect(verdict.soldOutItemIDs == ["milk-tea"] && verdict.problems == [.soldOut(itemIDs: ["milk-tea"])])
    }

    @Test func aClosedShopTakesTheOrderForItsNextOpeningOnlyWhenItSaysSo() {
        let hours = WeeklyHours.daily([OpeningInterval(opens: "10:00", closes: "14:00")!])
        let night = shanghai(2026, 11, 25, 23, 0)
        let refused = check(ShopRules(hours: hours), at: night)
        #expect(refused.problems == [.closed(opensAt: shanghai(2026, 11, 26, 10, 0))] && refused.forLaterAt == nil)
        let later = check(ShopRules(hours: hours, acceptsOrdersForLater: true), at: night)
        #expect(later.isAccepted && later.forLaterAt == shanghai(2026, 11, 26, 10, 0))
        // A pause is no closing: nothing is taken for later while paused.
        let paused = check(ShopRules(hours: hours, acceptsOrdersForLater: true, pause: .untilResumed))
        #expect(paused.problems == [.paused(until: nil, reopensAt: nil)] && paused.forLaterAt == nil)
    }

    @Test func everyBrokenRuleIsListedInTheOrderTheCustomerHearsThem() {
        let rules = ShopRules(
            hours: .daily([OpeningInterval(opens: "10:00", closes: "11:00")!]), deliveryRadiusMetres: 100,
            minimumOrder: Money(fen: 5000))
        let verdict = check(rules, soldOut: ["beef-noodles"])
        #expect(
            verdict.problems == [
                .closed(opensAt: shanghai(2026, 11, 26, 10, 0)), .soldOut(itemIDs: ["beef-noodles"]),
                .beyondRadius(metres: Self.metresToSquare, radiusMetres: 100),
                .belowMinimum(missing: Money(fen: 3200), minimum: Money(fen: 5000)),
            ])
        #expect(verdict.preparationMinutes == 12)
    }

    @Test func theDemoShopsTakeEveryOrderAtAnyHourWithinTenKilometresForFree() throws {
        var catalog = DemoCatalog.catalog
        for hour in [0, 3, 12, 23] {
            let verdict = try #require(
                catalog.evaluate(
                    merchantID: "lanzhou", lines: [Self.line()], destination: Self.square,
                    at: shanghai(2026, 11, 25, hour, 0), in: time))
            #expect(verdict.isAccepted && verdict.deliveryFee == .zero && verdict.total == Money(fen: 1800))
        }
        #expect(catalog.rules(forMerchant: "dumplings").deliveryRadiusMetres == 10_000)
        #expect(catalog.evaluate(merchantID: "nowhere", lines: [], destination: nil, at: 0, in: time) == nil)
        // Sold-out marks travel on the catalog's items.
        var items = catalog.items
        items[1].soldOut = true
        catalog = Catalog(merchants: catalog.merchants, items: items)
        #expect(catalog.isSoldOut(itemID: "milk-tea") && !catalog.isSoldOut(itemID: "beef-noodles"))
        #expect(catalog.soldOutItemIDs(ofMerchant: "lanzhou") == ["milk-tea"])
        let draft = OrderDraft(
            merchantID: "lanzhou", lines: [Self.line("milk-tea", fen: 1200)],
            address: DeliveryAddress(text: "somewhere"))
        #expect(catalog.evaluate(draft, at: Self.noon, in: time)?.problems == [.soldOut(itemIDs: ["milk-tea"])])
    }

    @Test func rulesSurviveJSONAndMerchantsStoredBeforeRulesStillDecode() throws {
        var hours = WeeklyHours()
        hours[.friday] = [OpeningInterval(opens: "18:00", closes: "02:00")!]
        let rules = ShopRules(
            hours: hours, deliveryRadiusMetres: 5000, minimumOrder: Money(fen: 2000),
            deliveryFee: .bands([
                FeeBand(upToMetres: 3000, fee: Money(fen: 300)), FeeBand(upToMetres: nil, fee: Money(fen: 800)),
            ]),
            acceptsOrdersForLater: true, pause: .until(42))
        #expect(try JSONDecoder().decode(ShopRules.self, from: JSONEncoder().encode(rules)) == rules)
        let old =
            #"{"id": "lanzhou", "name": {"zh": "兰州", "en": "Lanzhou"}, "location": {"latitude": 31.2, "longitude": 121.4}, "preparationMinutes": 12}"#
        let merchant = try JSONDecoder().decode(Merchant.self, from: Data(old.utf8))
        #expect(merchant.rules == nil)
        let oldItem =
            #"{"id": "x", "merchantID": "lanzhou", "name": {"zh": "x", "en": "x"}, "description": {"zh": "", "en": ""}, "price": 100, "aliases": [], "isFeatured": false, "pictureURL": "", "position": 0}"#
        #expect(try JSONDecoder().decode(CatalogItem.self, from: Data(oldItem.utf8)).isSoldOut == false)
    }
}
