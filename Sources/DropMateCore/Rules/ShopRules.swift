/// A merchant's rules for taking orders: when, how far, how much at least, what delivery costs, and a pause switch.
///
/// A merchant without rules (`Merchant.rules == nil`) behaves as `unrestricted`: open around the clock, delivering
/// anywhere, no minimum, free delivery. Staff set rules through the staff API; `evaluate` applies them to a draft.
public struct ShopRules: Sendable, Hashable, Codable {
    /// Nil: open around the clock.
    public var hours: WeeklyHours?
    /// How far from the shop it delivers, straight-line (haversine) metres; nil: no limit.
    public var deliveryRadiusMetres: Int?
    /// The least subtotal (items only, before the delivery fee) it accepts.
    public var minimumOrder: Money
    public var deliveryFee: DeliveryFee
    /// Whether, while closed, it takes orders to be made when it next opens.
    public var acceptsOrdersForLater: Bool
    /// 暂停接单: kept in its own columns, not with the rest of the rules.
    public var pause: ShopPause

    public init(
        hours: WeeklyHours? = nil, deliveryRadiusMetres: Int? = nil, minimumOrder: Money = .zero,
        deliveryFee: DeliveryFee = .free,
        acceptsOrdersForLater: Bool = false, pause: ShopPause = .off
    ) {
        self.hours = hours
        self.deliveryRadiusMetres = deliveryRadiusMetres
        self.minimumOrder = minimumOrder
        self.deliveryFee = deliveryFee
        self.acceptsOrdersForLater = acceptsOrdersForLater
        self.pause = pause
    }

    /// No rule at all: what a merchant without rules gets.
    public static let unrestricted = ShopRules()

    /// The demo merchants' rules: open around the clock, no minimum, free delivery within 10 km of the shop.
    public static let demo = ShopRules(deliveryRadiusMetres: 10_000)

    /// 100 km: farther than any delivery.
    public static let maximumRadiusMetres = 100_000
    /// ¥10,000.
    public static let maximumMinimumOrder = Money(fen: 1_000_000)

    /// Why these rules cannot be used, or nil (the staff API answers 400 with it).
    public var problem: ShopRulesProblem? {
        if let problem = hours?.problem { return problem }
        if let radius = deliveryRadiusMetres, !(1...Self.maximumRadiusMetres).contains(radius) { return .invalidRadius }
        guard (0...Self.maximumMinimumOrder.fen).contains(minimumOrder.fen) else { return .invalidMinimum }
        return deliveryFee.problem
    }

    /// Open, closed (until when) or paused (until when) at `now`.
    public func availability(at now: Int64, in time: BusinessTime) -> Availability {
        switch pause {
        case .untilResumed: return .paused(until: nil, reopensAt: nil)
        // Paused until a time the shop is closed: it takes orders again when it next opens after that.
        case .until(let end) where now < end: return .paused(until: end, reopensAt: openingAtOrAfter(end, in: time))
        case .off, .until: break  // not paused, or the pause's time has passed: it ended by itself
        }
        guard let hours else { return .open(closesAt: nil) }
        let minute = time.minuteOfWeek(now)
        if hours.isOpen(atMinuteOfWeek: minute) {
            return .open(
                closesAt: hours.minutesUntilClose(fromMinuteOfWeek: minute).map {
                    time.start(ofMinutesAfter: $0, from: now)
                })
        }
        return .closed(
            opensAt: hours.minutesUntilOpen(fromMinuteOfWeek: minute).map { time.start(ofMinutesAfter: $0, from: now) })
    }

    /// The first moment at or after `unix` the hours are open (`unix` itself when open then); nil when never.
    func openingAtOrAfter(_ unix: Int64, in time: BusinessTime) -> Int64? {
        guard let hours else { return unix }
        let minute = time.minuteOfWeek(unix)
        guard let wait = hours.minutesUntilOpen(fromMinuteOfWeek: minute) else { return nil }
        return wait == 0 ? unix : time.start(ofMinutesAfter: wait, from: unix)
    }

    /// Applies every rule to a draft: the one call the chat, the pages and the pay page make.
    ///
    /// Pure: `now` and the business time zone are passed in. `shop` is where the merchant is; `soldOut` the ids of
    /// the merchant's items marked sold out.
    public func evaluate(
        _ draft: RulesDraft, shop: Coordinate, preparationMinutes: Int, soldOut: Set<String>,
        at now: Int64, in time: BusinessTime
    ) -> RulesVerdict {
        let availability = availability(at: now, in: time)
        var forLater: Int64?
        if case .closed(let opensAt?) = availability, acceptsOrdersForLater { forLater = opensAt }

        let distance: DistanceCheck
        let metres = draft.destination.flatMap {
            $0.isValid && shop.isValid ? Int(shop.distance(to: $0).rounded()) : nil
        }
        if let metres {
            if let radius = deliveryRadiusMetres, metres > radius {
                distance = .beyond(metres: metres, radiusMetres: radius)
            } else {
                distance = .within(metres: metres)
            }
        } else {
            distance = .unknown
        }

        let subtotal = draft.lines.reduce(Money.zero) { $0 + $1.total }
        let minimum: MinimumCheck =
            subtotal < minimumOrder ? .short(by: Money(fen: minimumOrder.fen - subtotal.fen)) : .met
        let (fee, feeIsFallback) = deliveryFee.fee(forMetres: metres)
        var seen = Set<String>()
        let soldOutInDraft = draft.lines.map(\.itemID).filter { soldOut.contains($0) && seen.insert($0).inserted }

        var problems: [RuleProblem] = []
        switch availability {
        case .open: break
        case .paused(let until, let reopensAt): problems.append(.paused(until: until, reopensAt: reopensAt))
        case .closed(let opensAt): if forLater == nil { problems.append(.closed(opensAt: opensAt)) }
        }
        if !soldOutInDraft.isEmpty { problems.append(.soldOut(itemIDs: soldOutInDraft)) }
        if case .beyond(let metres, let radius) = distance {
            problems.append(.beyondRadius(metres: metres, radiusMetres: radius))
        }
        if case .short(let missing) = minimum {
            problems.append(.belowMinimum(missing: missing, minimum: minimumOrder))
        }

        return RulesVerdict(
            availability: availability, forLaterAt: forLater, distance: distance, minimum: minimum,
            soldOutItemIDs: soldOutInDraft, subtotal: subtotal, deliveryFee: fee, feeIsFallback: feeIsFallback,
            total: subtotal + fee, preparationMinutes: preparationMinutes, problems: problems)
    }
}

/// 暂停接单: not paused, paused until a time, or paused until staff resume.
public enum ShopPause: Sendable, Hashable, Codable {
    case off
    case until(Int64)
    case untilResumed
}

/// What a draft needs to hold the rules.
public struct RulesDraft: Sendable, Hashable {
    public var lines: [OrderLine]
    /// Where it goes, when known (a WeChat location, or an address a map provider geocoded).
    public var destination: Coordinate?

    public init(lines: [OrderLine], destination: Coordinate?) {
        self.lines = lines
        self.destination = destination
    }
}

/// Whether a shop takes orders now.
public enum Availability: Sendable, Hashable {
    /// Open; `closesAt` nil when it never closes.
    case open(closesAt: Int64?)
    /// Closed by its hours; `opensAt` nil when it has no opening hours at all.
    case closed(opensAt: Int64?)
    /// 暂停接单 until `until` (nil: until staff resume); `reopensAt` is when it takes orders again by its hours
    /// after that (nil: unknown).
    case paused(until: Int64?, reopensAt: Int64?)

    public var isOpen: Bool { if case .open = self { true } else { false } }
}

/// The destination against the delivery radius.
public enum DistanceCheck: Sendable, Hashable {
    /// Straight-line metres from the shop (rounded to whole metres), within the radius or with no radius set.
    case within(metres: Int)
    case beyond(metres: Int, radiusMetres: Int)
    /// No coordinate (a typed address no map provider geocoded): accepted, and staff should see it is unmeasured.
    case unknown

    public var metres: Int? {
        switch self {
        case .within(let metres), .beyond(let metres, _): metres
        case .unknown: nil
        }
    }
}

/// The subtotal against the minimum order.
public enum MinimumCheck: Sendable, Hashable {
    case met
    case short(by: Money)
}

/// One rule a draft breaks, in the order the customer should hear about them.
public enum RuleProblem: Sendable, Hashable {
    case paused(until: Int64?, reopensAt: Int64?)
    /// Closed, and the merchant takes no orders for later (or never opens).
    case closed(opensAt: Int64?)
    case soldOut(itemIDs: [String])
    case beyondRadius(metres: Int, radiusMetres: Int)
    case belowMinimum(missing: Money, minimum: Money)
}

/// Everything the rules say about a draft.
public struct RulesVerdict: Sendable, Hashable {
    public var availability: Availability
    /// Closed, but the merchant takes the order for this time (its next opening).
    public var forLaterAt: Int64?
    public var distance: DistanceCheck
    public var minimum: MinimumCheck
    /// Items of the draft marked sold out, in draft order.
    public var soldOutItemIDs: [String]
    /// The items.
    public var subtotal: Money
    public var deliveryFee: Money
    /// The fee was charged without knowing the distance (the first band's fee).
    public var feeIsFallback: Bool
    /// Subtotal plus delivery fee.
    public var total: Money
    public var preparationMinutes: Int
    /// Empty when the order may be placed (now, or for `forLaterAt`).
    public var problems: [RuleProblem]

    public var isAccepted: Bool { problems.isEmpty }
    /// Accepted with a distance nobody could measure: staff should check the address.
    public var distanceUnknown: Bool { distance == .unknown }
}

/// Why rules staff sent cannot be used.
public enum ShopRulesProblem: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidTime(Weekday)
    case emptyInterval(Weekday)
    case tooManyIntervals(Weekday)
    case overlappingIntervals(Weekday)
    case invalidRadius
    case invalidMinimum
    case invalidFee
    case invalidBands

    public var description: String {
        switch self {
        case .invalidTime(let day): "\(day.key): times must be HH:MM from 00:00 to 24:00"
        case .emptyInterval(let day):
            "\(day.key): an interval must not open and close at the same minute (00:00 to 24:00 is the whole day)"
        case .tooManyIntervals(let day): "\(day.key): at most 6 intervals a day"
        case .overlappingIntervals(let day):
            "\(day.key): opening intervals overlap (one past midnight counts on the next day)"
        case .invalidRadius: "the delivery radius must be 1 to \(ShopRules.maximumRadiusMetres) metres"
        case .invalidMinimum: "the minimum order must be 0 to \(ShopRules.maximumMinimumOrder.fen) fen"
        case .invalidFee: "a delivery fee must be 0 to \(DeliveryFee.maximum.fen) fen"
        case .invalidBands:
            "fee bands: 1 to 10, each up to 1 to \(ShopRules.maximumRadiusMetres) metres, in increasing order; only the last may have no limit"
        }
    }
}
