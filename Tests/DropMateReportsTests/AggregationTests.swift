import Foundation
import Testing

@testable import DropMateReports

@Suite struct AggregationTests {
    private func aggregate(_ orders: [ReportOrder], extras: DayExtras = DayExtras()) -> DailyAggregates {
        var aggregator = DailyReportAggregator(day: shanghaiDay)
        orders.forEach { aggregator.add($0) }
        return aggregator.aggregates(extras: extras)
    }

    @Test func p90IsTheNearestRankOfTheDeliveryTimes() {
        // 1…10 minutes: ceil(0.9 × 10) = 9th smallest = 9 minutes.
        let summary = aggregate((1...10).map { delivered("o\($0)", minutes: $0) }).summary
        #expect(summary.p90DeliverySeconds == 9 * 60)
        #expect(summary.averageDeliverySeconds == 5.5 * 60)
    }

    @Test func p90OfElevenDeliveriesRoundsTheRankUp() {
        // ceil(0.9 × 11) = 10th smallest.
        let summary = aggregate((1...11).map { delivered("o\($0)", minutes: $0 * 2) }).summary
        #expect(summary.p90DeliverySeconds == 20 * 60)
    }

    @Test func onTimeMeansDeliveredAtOrBeforeThePromisedTime() {
        let summary = aggregate([
            delivered("early", minutes: 20, promisedMinutes: 30),
            delivered("exactly", minutes: 30, promisedMinutes: 30),
            delivered("late", minutes: 31, promisedMinutes: 30),
            delivered("unpromised", minutes: 50),
        ]).summary
        #expect(summary.onTimeRate == 2.0 / 3.0)
    }

    @Test func etaAccuracyIsTheMeanAbsoluteErrorInMinutes() {
        let summary = aggregate([
            delivered("a", minutes: 30, etaMinutes: 40),  // 10 early
            delivered("b", minutes: 30, etaMinutes: 25),  // 5 late
            delivered("c", minutes: 30),  // no ETA: not measured
        ]).summary
        #expect(summary.etaMeanAbsoluteErrorMinutes == 7.5)
    }

    @Test func revenueCountsEveryOrderNotCancelled() {
        let summary = aggregate([
            order("pending", totalFen: 1_000),
            delivered("done", minutes: 10),
            order("gone", cancelled: local(12, 5), reason: "商家已打烊", totalFen: 5_000),
        ]).summary
        #expect(summary.revenueFen == 1_000 + 200)
        #expect(summary.cancelled == 1)
        #expect(summary.cancelledByReason == [ReasonCount(reason: "商家已打烊", count: 1)])
    }

    @Test func aCancelledOrderIsNeverDeliveredAndAMissingReasonIsUnspecified() {
        let summary = aggregate([
            order("x", confirmed: local(12), delivered: local(13), cancelled: local(13, 1))
        ]).summary
        #expect(summary.delivered == 0)
        #expect(summary.confirmed == 1)
        #expect(summary.cancelledByReason == [ReasonCount(reason: ReportOrder.unspecifiedCancelReason, count: 1)])
    }

    @Test func hoursAreLocalToTheBusinessZoneWhateverTheServerClock() {
        // 23:59:59 local is 15:59:59 UTC; it must land in hour 23, not 15.
        let lastSecond = local(23, 59, 59)
        let firstSecond = local(0, 0, 0)
        let hours = aggregate([order("late", placed: lastSecond), order("early", placed: firstSecond)]).hours
        #expect(hours.count == 24)
        #expect(hours[23].placed == 1)
        #expect(hours[0].placed == 1)
        #expect(hours.reduce(0) { $0 + $1.placed } == 2)
    }

    @Test func aDeliveryAfterMidnightIsCountedButInNoHourOfTheDay() {
        let placed = local(23, 30)
        let nextMidnight = shanghaiDay.end
        let aggregates = aggregate([order("night", placed: placed, confirmed: placed, delivered: nextMidnight)])
        #expect(aggregates.summary.delivered == 1)
        #expect(aggregates.summary.deliveredAfterDay == 1)
        #expect(aggregates.hours.allSatisfy { $0.delivered == 0 })
    }

    @Test func couriersMerchantsAndItemsAreTalliedAndRanked() {
        let rice = ReportItem(name: "米饭", quantity: 2, unitPriceFen: 200)
        let tea = ReportItem(name: "珍珠奶茶🧋", quantity: 1, unitPriceFen: 1_500)
        let aggregates = aggregate([
            order(
                "1", confirmed: local(12), delivered: local(12, 30), merchant: "喜茶", courier: "王芳",
                items: [tea], totalFen: 1_500, promised: local(12, 40), distance: 1_200),
            order(
                "2", confirmed: local(12), delivered: local(12, 50), merchant: "沙县小吃", courier: "王芳",
                items: [rice, rice], totalFen: 800, promised: local(12, 40), distance: 800),
            order("3", merchant: "沙县小吃", items: [rice], totalFen: 400),
        ])
        #expect(aggregates.couriers.count == 1)
        let courier = aggregates.couriers[0]
        #expect(courier.deliveries == 2)
        #expect(courier.onTimeRate == 0.5)
        #expect(courier.averageDeliverySeconds == 2_400)
        #expect(courier.distanceMetres == 2_000)
        #expect(aggregates.merchants.map(\.name) == ["喜茶", "沙县小吃"])
        #expect(aggregates.merchants.map(\.revenueFen) == [1_500, 1_200])
        #expect(aggregates.items.first == ItemStats(name: "米饭", quantity: 6, orders: 3, revenueFen: 1_200))
        #expect(aggregates.summary.topItems.map(\.name) == ["米饭", "珍珠奶茶🧋"])
    }

    @Test func anEmptyDayHasZeroCountsAndNoRates() {
        let aggregates = aggregate([], extras: DayExtras(pushesSent: 3, deadJobs: 1))
        #expect(aggregates.summary.placed == 0)
        #expect(aggregates.summary.revenueFen == 0)
        #expect(aggregates.summary.p90DeliverySeconds == nil)
        #expect(aggregates.summary.onTimeRate == nil)
        #expect(aggregates.summary.extras.pushesSent == 3)
        #expect(aggregates.hours.count == 24)
    }
}
