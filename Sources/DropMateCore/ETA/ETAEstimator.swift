/// The built-in delivery-time estimate: preparation, then road distance at courier speed.
///
/// Road distance is the straight line times `roadFactor`; without coordinates (a typed address)
/// `assumedDistanceMetres` stands in. A map provider's road distance, when the order has one, replaces both.
public struct ETAEstimator: Sendable, Hashable {
    public var roadFactor: Double
    public var speedMetresPerMinute: Double
    public var assumedDistanceMetres: Double
    /// Minutes a courier needs to pick up once the food is ready.
    public var pickupMinutes: Int

    public init(
        roadFactor: Double = 1.3, speedKmPerHour: Double = 18, assumedDistanceMetres: Double = 3_000,
        pickupMinutes: Int = 5
    ) {
        self.roadFactor = roadFactor
        self.speedMetresPerMinute = speedKmPerHour * 1000 / 60
        self.assumedDistanceMetres = assumedDistanceMetres
        self.pickupMinutes = pickupMinutes
    }

    /// Road metres from the merchant to the address.
    public func roadDistance(from merchant: Merchant, to address: DeliveryAddress) -> Double {
        guard let destination = address.coordinate else { return assumedDistanceMetres }
        return merchant.location.distance(to: destination) * roadFactor
    }

    /// Whole minutes of riding for `metres`, at least one.
    public func travelMinutes(metres: Double) -> Int {
        max(1, Int((metres / speedMetresPerMinute).rounded(.up)))
    }

    /// The expected arrival (Unix seconds) of `order` as things stand at `now`; nil once it is final.
    public func arrival(of order: Order, merchant: Merchant, now: Int64) -> Int64? {
        let travel = Int64(
            travelMinutes(metres: order.routeMetres ?? roadDistance(from: merchant, to: order.address)) * 60)
        switch order.status {
        case .awaitingConfirmation:
            // An order taken while the shop is closed is made when it opens (`scheduledFor`).
            return max(now, order.scheduledFor ?? now) + Int64(merchant.preparationMinutes + pickupMinutes) * 60
                + travel
        case .confirmed:
            let ready =
                max(order.confirmedAt ?? now, order.scheduledFor ?? 0) + Int64(
                    merchant.preparationMinutes + pickupMinutes) * 60
            return max(ready, now) + travel
        case .dispatched:
            // A refresh from the courier's position knows better than the dispatch-time guess.
            if let latest = order.latestETA { return max(latest, now + 60) }
            let leaves: Int64
            if let pickedUpAt = order.pickedUpAt {
                leaves = pickedUpAt
            } else if order.courierID != nil {
                // A courier on the way to the shop leaves it once the food is ready and they have reached it.
                let ready =
                    max(order.confirmedAt ?? order.createdAt, order.scheduledFor ?? 0) + Int64(
                        merchant.preparationMinutes) * 60
                leaves = max(ready, (order.dispatchedAt ?? now) + Int64(pickupMinutes) * 60)
            } else {
                leaves = order.dispatchedAt ?? now  // staff sent it out themselves: on the road already
            }
            return max(leaves + travel, now + 60)
        case .delivered, .cancelled:
            return nil
        }
    }
}
