/// The rules as the conversation and the pages reach them: through the catalog they already hold.
extension Catalog {
    /// The rules a merchant's drafts are held to (`ShopRules.unrestricted` when none are set).
    public func rules(forMerchant id: String) -> ShopRules { merchant(id: id)?.rules ?? .unrestricted }

    /// Whether staff marked the item sold out (估清).
    public func isSoldOut(itemID: String) -> Bool { item(id: itemID)?.isSoldOut ?? false }

    /// The ids of a merchant's items marked sold out.
    public func soldOutItemIDs(ofMerchant id: String) -> Set<String> {
        Set(items.filter { $0.merchantID == id && $0.isSoldOut }.map(\.id))
    }

    /// Applies the merchant's rules to `lines` bound for `destination` (nil: unknown) at `now`: the entry point.
    /// Nil when the merchant is not in the catalog.
    public func evaluate(
        merchantID: String, lines: [OrderLine], destination: Coordinate?, at now: Int64, in time: BusinessTime
    ) -> RulesVerdict? {
        guard let merchant = merchant(id: merchantID) else { return nil }
        return (merchant.rules ?? .unrestricted).evaluate(
            RulesDraft(lines: lines, destination: destination), shop: merchant.location,
            preparationMinutes: merchant.preparationMinutes,
            soldOut: soldOutItemIDs(ofMerchant: merchantID), at: now, in: time)
    }

    /// Applies the merchant's rules to a chat draft (its address's coordinate, when it has one).
    public func evaluate(_ draft: OrderDraft, at now: Int64, in time: BusinessTime) -> RulesVerdict? {
        evaluate(
            merchantID: draft.merchantID, lines: draft.lines, destination: draft.address?.coordinate, at: now, in: time)
    }

    /// Whether the merchant takes orders at `now` (open, closed until, paused until).
    public func availability(ofMerchant id: String, at now: Int64, in time: BusinessTime) -> Availability {
        rules(forMerchant: id).availability(at: now, in: time)
    }
}

extension CatalogItem {
    /// 估清: sold out until staff mark it back.
    public var isSoldOut: Bool { soldOut ?? false }
}
