/// The road ahead of a courier on one delivery, in metres: to the shop (until picked up), then to the customer.
public struct RemainingRoute: Sendable, Hashable {
    /// From the courier to the merchant; zero once the food is picked up.
    public var toMerchantMetres: Double
    /// From wherever the courier goes next (the shop, or where they are) to the customer.
    public var toCustomerMetres: Double

    public init(toMerchantMetres: Double, toCustomerMetres: Double) {
        self.toMerchantMetres = toMerchantMetres
        self.toCustomerMetres = toCustomerMetres
    }
}

extension ETAEstimator {
    /// The straight-line route (times the road factor) for a courier at `position`, when no map service measured it.
    public func remainingRoute(of order: Order, merchant: Merchant, courierAt position: Coordinate) -> RemainingRoute {
        if order.pickedUpAt != nil {
            let customer = order.address.coordinate
            return RemainingRoute(
                toMerchantMetres: 0,
                toCustomerMetres: customer.map { position.distance(to: $0) * roadFactor } ?? assumedDistanceMetres)
        }
        return RemainingRoute(
            toMerchantMetres: position.distance(to: merchant.location) * roadFactor,
            toCustomerMetres: order.routeMetres ?? roadDistance(from: merchant, to: order.address))
    }

    /// The arrival of a dispatched order whose courier has `route` ahead at `now`: riding to the shop, waiting
    /// for the food if it is not ready yet, then riding to the customer.
    public func arrival(of order: Order, merchant: Merchant, route: RemainingRoute, now: Int64) -> Int64 {
        var at = now
        if order.pickedUpAt == nil {
            at += Int64(route.toMerchantMetres > 0 ? travelMinutes(metres: route.toMerchantMetres) * 60 : 0)
            let ready = (order.confirmedAt ?? order.createdAt) + Int64(merchant.preparationMinutes) * 60
            at = max(at, ready)
        }
        return max(at + Int64(travelMinutes(metres: route.toCustomerMetres) * 60), now + 60)
    }
}

/// When a changed ETA is worth a push: it moved by at least `threshold` from what the customer was last told,
/// and the last push was at least `minInterval` ago. Status changes are always pushed and restart the interval.
public struct ETAPushRules: Sendable, Hashable {
    /// Seconds the ETA must move (either way) before the customer hears of it.
    public var threshold: Int64
    /// Seconds that must pass between two ETA pushes.
    public var minInterval: Int64

    public init(threshold: Int64 = 5 * 60, minInterval: Int64 = 10 * 60) {
        self.threshold = threshold
        self.minInterval = minInterval
    }

    /// Whether to tell the customer of `order` that it now arrives at `eta`.
    public func shouldNotify(_ order: Order, eta: Int64, now: Int64) -> Bool {
        guard order.status == .confirmed || order.status == .dispatched else { return false }
        guard let told = order.notifiedETA ?? order.promisedAt else { return true }
        guard abs(eta - told) >= threshold else { return false }
        let lastPush = order.notifiedAt ?? order.confirmedAt ?? order.createdAt
        return now - lastPush >= minInterval
    }
}
