import Foundation
import Testing

@testable import DropMateReports

/// Delivery fees in the daily report: a Fee column per order, fee totals per merchant and for the day (orders not
/// cancelled), and the Note column keeping its formula guard.
@Suite struct FeeReportTests {
    func withFee(
        _ id: String, fee: Int, items: Int, merchant: String = "兰州牛肉面馆", cancelled: Date? = nil, note: String = ""
    ) -> ReportOrder {
        var made = order(
            id, cancelled: cancelled, merchant: merchant,
            items: [ReportItem(name: "牛肉面", quantity: 1, unitPriceFen: items)],
            totalFen: items + fee, note: note)
        made.deliveryFeeFen = fee
        return made
    }

    @Test func feesAreSummedPerMerchantAndForTheDayOverOrdersNotCancelled() {
        var aggregator = DailyReportAggregator(day: shanghaiDay)
        aggregator.add(withFee("1", fee: 500, items: 1800))
        aggregator.add(withFee("2", fee: 300, items: 1800, merchant: "幸福饺子馆"))
        aggregator.add(withFee("3", fee: 800, items: 1800, cancelled: local(13)))
        let aggregates = aggregator.aggregates(extras: DayExtras())
        #expect(aggregates.summary.deliveryFeesFen == 800 && aggregates.summary.revenueFen == 2300 + 2100)
        #expect(aggregates.merchants.first { $0.name == "兰州牛肉面馆" }?.deliveryFeesFen == 500)
        #expect(aggregates.merchants.first { $0.name == "幸福饺子馆" }?.deliveryFeesFen == 300)
    }

    @Test func theOrdersSheetHasAFeeColumnBeforeTheTotalAndTheSummaryAndMerchantsShowFees() throws {
        try withReport([withFee("1", fee: 500, items: 1800, note: "=HYPERLINK(\"x\")")]) { files in
            let orders = try csvText(try #require(files.csvFiles["Orders"]))
            let header = try #require(orders.components(separatedBy: "\r\n").first)
            #expect(header.contains("Item count,Fee (yuan),Total (yuan)"))
            #expect(orders.contains(",1,5.00,23.00,"))
            #expect(orders.contains("'=HYPERLINK"), "a note that looks like a formula stays text")
            let summary = try csvText(try #require(files.csvFiles["Summary"]))
            #expect(summary.contains("\"Delivery fees (yuan, within revenue)\",5.00"))
            let merchants = try csvText(try #require(files.csvFiles["Merchants"]))
            #expect(merchants.contains("Revenue (yuan),Fees (yuan)") && merchants.contains("兰州牛肉面馆,1,0,0,23.00,5.00"))
        }
    }
}
