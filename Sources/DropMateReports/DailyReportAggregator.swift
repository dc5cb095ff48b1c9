import Foundation

/// Folds the day's orders, one at a time, into the report's aggregates.
///
/// Memory stays bounded by the number of distinct couriers, merchants and items, plus four bytes
/// per delivery (the delivery times, kept exactly so the p90 is exact).
public struct DailyReportAggregator: Sendable {
    public let day: ReportDay
    private var clock: BusinessClock
    private var summary = DailySummary()
    private var cancelReasons: [String: Int] = [:]
    private var deliverySeconds: [Int32] = []
    private var onTimeHits = 0
    private var onTimeMeasured = 0
    private var etaErrorSeconds = 0.0
    private var etaMeasured = 0
    private var couriers: [String: CourierTally] = [:]
    private var merchants: [String: MerchantStats] = [:]
    private var items: [String: ItemStats] = [:]
    private var hours = (0..<24).map { HourStats(hour: $0) }
    private let dayNumber: Int

    public init(day: ReportDay) {
        self.day = day
        var clock = BusinessClock(timeZone: day.timeZone)
        dayNumber = clock.localDay(day.start)
        self.clock = clock
    }

    /// Counts one order of the day.
    public mutating func add(_ order: ReportOrder) {
        summary.placed += 1
        hours[clock.localHour(order.placedAt)].placed += 1
        if order.confirmedAt != nil { summary.confirmed += 1 }
        if order.isCancelled {
            summary.cancelled += 1
            cancelReasons[order.cancelReason ?? ReportOrder.unspecifiedCancelReason, default: 0] += 1
        } else {
            summary.revenueFen += order.totalFen
            summary.deliveryFeesFen += order.deliveryFeeFen
            countItems(of: order)
        }
        countMerchant(order)
        if let courier = order.courierName { couriers[courier, default: CourierTally()].assigned += 1 }
        guard order.isDelivered, let deliveredAt = order.deliveredAt else { return }

        summary.delivered += 1
        if clock.localDay(deliveredAt) == dayNumber {
            hours[clock.localHour(deliveredAt)].delivered += 1
        } else {
            summary.deliveredAfterDay += 1
        }
        let seconds = order.deliverySeconds
        if let seconds { deliverySeconds.append(Int32(clamping: seconds)) }
        let onTime = order.promisedAt.map { deliveredAt <= $0 }
        if let onTime {
            onTimeMeasured += 1
            if onTime { onTimeHits += 1 }
        }
        if let firstEtaAt = order.firstEtaAt {
            etaMeasured += 1
            etaErrorSeconds += abs(deliveredAt.timeIntervalSince(firstEtaAt))
        }
        if let courier = order.courierName {
            couriers[courier, default: CourierTally()].countDelivery(
                seconds: seconds, onTime: onTime, metres: order.distanceMetres)
        }
    }

    private mutating func countItems(of order: ReportOrder) {
        for item in order.items {
            var stats = items[item.name] ?? ItemStats(name: item.name)
            stats.quantity += item.quantity
            stats.orders += 1
            stats.revenueFen += item.lineTotalFen
            items[item.name] = stats
        }
    }

    private mutating func countMerchant(_ order: ReportOrder) {
        var stats = merchants[order.merchantName] ?? MerchantStats(name: order.merchantName)
        stats.orders += 1
        if order.isCancelled {
            stats.cancelled += 1
        } else {
            stats.revenueFen += order.totalFen
            stats.deliveryFeesFen += order.deliveryFeeFen
        }
        if order.isDelivered { stats.delivered += 1 }
        merchants[order.merchantName] = stats
    }

    /// The aggregates of every order added so far, with the day's extras.
    public func aggregates(extras: DayExtras = DayExtras()) -> DailyAggregates {
        var summary = self.summary
        summary.extras = extras
        summary.cancelledByReason = cancelReasons.map { ReasonCount(reason: $0.key, count: $0.value) }
            .sorted { ($0.count, $1.reason) > ($1.count, $0.reason) }
        summary.averageDeliverySeconds = Self.mean(deliverySeconds)
        summary.p90DeliverySeconds = Self.nearestRankPercentile(90, of: deliverySeconds)
        summary.onTimeRate = onTimeMeasured == 0 ? nil : Double(onTimeHits) / Double(onTimeMeasured)
        summary.etaMeanAbsoluteErrorMinutes = etaMeasured == 0 ? nil : etaErrorSeconds / Double(etaMeasured) / 60
        let itemList = items.values.sorted { ($0.quantity, $1.name) > ($1.quantity, $0.name) }
        summary.topItems = Array(itemList.prefix(5))
        return DailyAggregates(
            summary: summary,
            couriers: couriers.map { $0.value.stats(name: $0.key) }
                .sorted { ($0.deliveries, $1.name) > ($1.deliveries, $0.name) },
            merchants: merchants.values.sorted { ($0.revenueFen, $1.name) > ($1.revenueFen, $0.name) },
            items: itemList,
            hours: hours
        )
    }

    static func mean(_ values: [Int32]) -> Double? {
        guard !values.isEmpty else { return nil }
        return Double(values.reduce(0) { $0 + Int($1) }) / Double(values.count)
    }

    /// The smallest value such that at least `percent` % of `values` are less than or equal to it.
    static func nearestRankPercentile(_ percent: Int, of values: [Int32]) -> Int? {
        guard !values.isEmpty else { return nil }
        let rank = (percent * values.count + 99) / 100  // ceil(p/100 · n), 1-based
        var sorted = values
        sorted.sort()
        return Int(sorted[max(rank, 1) - 1])
    }
}

/// Running counts for one courier; turned into ``CourierStats`` at the end.
private struct CourierTally: Sendable {
    var assigned = 0
    var deliveries = 0
    var onTimeHits = 0
    var onTimeMeasured = 0
    var secondsSum = 0
    var secondsMeasured = 0
    var metres = 0
    var withDistance = 0

    mutating func countDelivery(seconds: Int?, onTime: Bool?, metres: Int?) {
        deliveries += 1
        if let seconds { secondsSum += seconds; secondsMeasured += 1 }
        if let onTime { onTimeMeasured += 1; if onTime { onTimeHits += 1 } }
        if let metres { self.metres += metres; withDistance += 1 }
    }

    func stats(name: String) -> CourierStats {
        CourierStats(
            name: name, assigned: assigned, deliveries: deliveries,
            onTimeRate: onTimeMeasured == 0 ? nil : Double(onTimeHits) / Double(onTimeMeasured),
            averageDeliverySeconds: secondsMeasured == 0 ? nil : Double(secondsSum) / Double(secondsMeasured),
            distanceMetres: metres, deliveriesWithDistance: withDistance
        )
    }
}
