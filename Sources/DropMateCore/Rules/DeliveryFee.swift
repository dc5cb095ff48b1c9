/// What a delivery costs the customer: one flat fee (zero: free), or a fee by distance band.
public enum DeliveryFee: Sendable, Hashable, Codable {
    case flat(Money)
    /// Ascending by `upToMetres`; only the last band may be open-ended.
    case bands([FeeBand])

    public static let free = DeliveryFee.flat(.zero)

    /// The fee for a delivery `metres` from the shop (nil: unknown).
    ///
    /// A band covers distances up to and including its `upToMetres`. A distance past the last band pays the last
    /// band's fee (the radius, not the fee, decides whether the shop delivers that far). An unknown distance pays the
    /// first band's fee and says so (`isFallback`), so staff can settle the difference.
    public func fee(forMetres metres: Int?) -> (fee: Money, isFallback: Bool) {
        switch self {
        case .flat(let fee):
            return (fee, false)
        case .bands(let bands):
            guard let first = bands.first else { return (.zero, metres == nil) }
            guard let metres else { return (first.fee, true) }
            let band = bands.first { $0.upToMetres.map { metres <= $0 } ?? true } ?? bands[bands.count - 1]
            return (band.fee, false)
        }
    }

    /// Why this fee cannot be used, or nil.
    public var problem: ShopRulesProblem? {
        switch self {
        case .flat(let fee):
            return (0...Self.maximum.fen).contains(fee.fen) ? nil : .invalidFee
        case .bands(let bands):
            guard (1...10).contains(bands.count) else { return .invalidBands }
            guard bands.allSatisfy({ (0...Self.maximum.fen).contains($0.fee.fen) }) else { return .invalidFee }
            for (index, band) in bands.enumerated() {
                guard let limit = band.upToMetres else {
                    if index != bands.count - 1 { return .invalidBands }
                    continue
                }
                guard (1...ShopRules.maximumRadiusMetres).contains(limit) else { return .invalidBands }
                if index > 0, let previous = bands[index - 1].upToMetres, limit <= previous { return .invalidBands }
            }
            return nil
        }
    }

    /// ¥1,000: more than any delivery fee.
    public static let maximum = Money(fen: 100_000)
}

/// The fee for deliveries up to `upToMetres` from the shop (nil: any farther distance).
public struct FeeBand: Sendable, Hashable, Codable {
    public var upToMetres: Int?
    public var fee: Money

    public init(upToMetres: Int?, fee: Money) {
        self.upToMetres = upToMetres
        self.fee = fee
    }
}
