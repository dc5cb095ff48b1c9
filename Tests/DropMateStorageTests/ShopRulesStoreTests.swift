import DropMateCore
import Testing

@testable import DropMateStorage

/// Shop rules and sold-out marks are stored, survive each other's writes and reach the catalog, on both databases.
@Suite struct ShopRulesStoreTests {
    static func audit(_ action: String) -> AuditEntry {
        AuditEntry(actorID: 1, actor: "boss", role: "admin", action: action, target: "merchant:lanzhou", at: 5)
    }

    @Test(arguments: BackendKind.available) func rulesPauseAndSoldOutMarksReachTheCatalog(
        _ kind: BackendKind
    ) async throws {
        try await TestDatabase.with(kind) { db in
            let store = try await SQLConversationStore.open(db.backend, sealer: .test)
            let catalog = SQLCatalogStore(backend: db.backend)
            try await store.seedIfEmpty(DemoCatalog.catalog, now: 1)
            #expect(
                try await store.catalog(at: 0).rules(forMerchant: "lanzhou") == .demo,
                "the demo shops are seeded with their rules")
            #expect(try await catalog.rules(merchantID: "dumplings") == .demo)

            let rules = ShopRules(
                hours: .daily([OpeningInterval(opens: "10:00", closes: "02:00")!]), deliveryRadiusMetres: 3000,
                minimumOrder: Money(fen: 2000),
                deliveryFee: .bands([
                    FeeBand(upToMetres: 1000, fee: Money(fen: 200)), FeeBand(upToMetres: nil, fee: Money(fen: 600)),
                ]),
                acceptsOrdersForLater: true)
            try await catalog.setPause(
                .until(9_999), merchantID: "lanzhou", now: 2, audit: Self.audit("merchant.pause"))
            try await catalog.saveRules(
                rules, preparationMinutes: 20, merchantID: "lanzhou", now: 3, audit: Self.audit("merchant.rules"))
            var expected = rules
            expected.pause = .until(9_999)
            #expect(try await catalog.rules(merchantID: "lanzhou") == expected, "saving the rules keeps the pause")
            try await catalog.setPause(
                .untilResumed, merchantID: "lanzhou", now: 4, audit: Self.audit("merchant.pause"))
            expected.pause = .untilResumed
            #expect(try await catalog.rules(merchantID: "lanzhou") == expected, "pausing keeps the rules")
            #expect(try await catalog.setSoldOut(true, adID: "milk-tea", now: 4, audit: Self.audit("ad.sold_out")))
            #expect(
                try await catalog.setSoldOut(true, adID: "nothing", now: 4, audit: Self.audit("ad.sold_out")) == false)

            let loaded = try await store.catalog(at: 10)
            #expect(
                loaded.merchant(id: "lanzhou")?.rules == expected
                    && loaded.merchant(id: "lanzhou")?.preparationMinutes == 20)
            #expect(loaded.merchant(id: "dumplings")?.rules == .demo)
            #expect(loaded.isSoldOut(itemID: "milk-tea") && !loaded.isSoldOut(itemID: "beef-noodles"))
            #expect(try await catalog.ad(id: "milk-tea")?.item.isSoldOut == true)
            // An ad edited while sold out stays sold out; marking it back clears it.
            var ad = try #require(try await catalog.ad(id: "milk-tea"))
            ad.item.soldOut = nil
            ad.item.price = Money(fen: 1300)
            try await catalog.save(ad, isNew: false, now: 11, audit: Self.audit("ad.update"))
            #expect(try await store.catalog(at: 12).isSoldOut(itemID: "milk-tea"))
            #expect(try await catalog.setSoldOut(false, adID: "milk-tea", now: 13, audit: Self.audit("ad.back")))
            #expect(try await store.catalog(at: 14).isSoldOut(itemID: "milk-tea") == false)

            try await catalog.setPause(.off, merchantID: "lanzhou", now: 15, audit: Self.audit("merchant.resume"))
            #expect(try await catalog.rules(merchantID: "lanzhou") == rules)
            await #expect(throws: SQLCatalogStore.CatalogError.unknownMerchant("nowhere")) {
                try await catalog.setPause(
                    .untilResumed, merchantID: "nowhere", now: 16, audit: Self.audit("merchant.pause"))
            }
            // A merchant added later has no rules until staff set some, and a pause alone gives it unrestricted ones.
            try await catalog.save(
                Merchant(
                    id: "tea", name: LocalizedText(zh: "茶", en: "Tea"), location: DemoCatalog.noodleHouse.location,
                    preparationMinutes: 5),
                active: true, isNew: true, now: 17, audit: Self.audit("merchant.create"))
            #expect(try await catalog.rules(merchantID: "tea") == nil)
            #expect(try await store.catalog(at: 18).merchant(id: "tea")?.rules == nil)
            try await catalog.setPause(.untilResumed, merchantID: "tea", now: 19, audit: Self.audit("merchant.pause"))
            #expect(try await catalog.rules(merchantID: "tea") == ShopRules(pause: .untilResumed))
            #expect(try await SQLStaffStore(backend: db.backend).audit(limit: 20, beforeID: nil).count == 9)
        }
    }
}
