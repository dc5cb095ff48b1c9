import Foundation
import Testing

@testable import DropMateReports

@Suite struct ReportDayTests {
    @Test func aShanghaiDayStartsAtSixteenHundredUTCTheDayBefore() {
        #expect(shanghaiDay.start == Date(timeIntervalSince1970: 1_795_449_600))
        #expect(shanghaiDay.end.timeIntervalSince(shanghaiDay.start) == 86_400)
        #expect(shanghaiDay.contains(local(23, 59, 59)))
        #expect(!shanghaiDay.contains(shanghaiDay.end))
    }

    @Test func aDayEndingADaylightSavingPeriodLastsTwentyFiveHours() throws {
        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        let day = try #require(ReportDay("2026-11-01", timeZone: newYork))
        #expect(day.end.timeIntervalSince(day.start) == 25 * 3_600)
        var clock = BusinessClock(timeZone: newYork)
        #expect(clock.localHour(day.start.addingTimeInterval(2 * 3_600)) == 1)  // 01:00 EDT, then 01:00 EST
        #expect(clock.localHour(day.end.addingTimeInterval(-1)) == 23)
    }

    @Test func datesAreParsedStrictly() {
        #expect(ReportDay("2026-11-24")?.isoDate == "2026-11-24")
        #expect(ReportDay("2026-02-30") == nil)
        #expect(ReportDay("2026-1-5") == nil)
        #expect(ReportDay("yesterday") == nil)
    }

    @Test func yesterdayIsTheBusinessDayBeforeNowInTheBusinessZone() {
        // 2026-11-24T17:00Z is already 01:00 on the 25th in Shanghai.
        let now = Date(timeIntervalSince1970: 1_795_449_600 + 25 * 3_600)
        #expect(ReportDay.yesterday(now: now).isoDate == "2026-11-24")
    }

    @Test func localTimesAndExcelSerialsUseTheBusinessZone() {
        var clock = BusinessClock(timeZone: shanghaiDay.timeZone)
        #expect(clock.localText(local(0)) == "2026-11-24 00:00:00")
        #expect(clock.localText(local(23, 59, 59)) == "2026-11-24 23:59:59")
        #expect(clock.excelSerial(local(0)) == 46_350)
        #expect(clock.excelSerial(local(18)) == 46_350.75)
    }
}
