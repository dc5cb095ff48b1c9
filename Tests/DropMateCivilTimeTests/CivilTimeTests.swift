import DropMateCivilTime
import Foundation
import Testing

/// Days-from-civil and back, against known dates and against Foundation's Gregorian calendar as an independent oracle.
@Suite struct CivilTimeTests {
    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return calendar
    }()

    @Test func knownDatesHaveTheirDayNumbers() {
        let known: [(CivilDate, Int)] = [
            (CivilDate(year: 1970, month: 1, day: 1), 0),
            (CivilDate(year: 1969, month: 12, day: 31), -1),
            (CivilDate(year: 2000, month: 2, day: 29), 11_016),  // a leap day in a year divisible by 400
            (CivilDate(year: 2000, month: 3, day: 1), 11_017),
            (CivilDate(year: 1900, month: 3, day: 1), -25_508),  // 1900 has no 29 February
            (CivilDate(year: 1900, month: 2, day: 28), -25_509),
            (CivilDate(year: 2100, month: 3, day: 1), 47_541),  // nor has 2100
            (CivilDate(year: 2026, month: 12, day: 5), 20_792),
            (CivilDate(year: 1, month: 1, day: 1), -719_162),
        ]
        for (date, days) in known {
            #expect(date.daysSince1970 == days, "\(date)")
            #expect(CivilDate(daysSince1970: days) == date, "\(days)")
        }
    }

    @Test func everyDayOfFourCenturiesRoundTripsAndStepsByOne() {
        var previous = CivilDate(daysSince1970: -80_001)
        for days in -80_000...80_000 {
            let date = CivilDate(daysSince1970: days)
            #expect(date.daysSince1970 == days)
            #expect(previous < date)
            let nextDayInMonth = date.month == previous.month && date.day == previous.day + 1
            let firstOfMonth = date.day == 1 && (date.month == previous.month % 12 + 1)
            if !(nextDayInMonth || firstOfMonth) { Issue.record("\(previous) → \(date)") }
            previous = date
        }
    }

    @Test func datesAgreeWithFoundationsGregorianCalendar() {
        // Every 997th day from 1583 to 2370 (Foundation's calendar is Julian before 15 October 1582, ours proleptic
        // Gregorian), and every day of the years around the century rules.
        let sample =
            Array(stride(from: -141_000, through: 146_097, by: 997)) + Array(-25_600...(-25_400))
            + Array(10_900...11_100)
        for days in sample {
            let parts = Self.utcCalendar.dateComponents(
                [.year, .month, .day], from: Date(timeIntervalSince1970: Double(days) * 86_400))
            #expect(
                CivilDate(daysSince1970: days) == CivilDate(year: parts.year!, month: parts.month!, day: parts.day!))
        }
    }

    @Test func timesOfDayFloorTowardsThePastBefore1970() {
        let second = CivilTime(-1)
        #expect(
            (second.year, second.month, second.day, second.hour, second.minute, second.second) == (
                1969, 12, 31, 23, 59, 59
            ))
        #expect(CivilDate.day(containing: -1) == -1)
        #expect(CivilDate.day(containing: -86_400) == -1)
        #expect(CivilDate.day(containing: -86_401) == -2)
        #expect(CivilDate.day(containing: 86_399) == 0)
        #expect(CivilTime(951_825_600).text == "2000-02-29 12:00:00")
    }

    @Test func textIsZeroPaddedISO8601() {
        #expect(CivilTime(0).text == "1970-01-01 00:00:00")
        #expect(CivilTime(1_764_028_799).iso8601 == "2025-11-24T23:59:59")
        #expect(CivilTime(1_764_028_799 + 8 * 3_600).date.text == "2025-11-25")
        #expect(CivilDate(year: 33, month: 7, day: 4).text == "0033-07-04")
        #expect(CivilDate(year: 12_026, month: 1, day: 9).text == "12026-01-09")
        #expect(CivilTime.two(7) == "07")
        #expect(CivilTime.two(12) == "12")
        // The same text Foundation's ISO 8601 style writes, over a spread of instants.
        let style = Date.ISO8601FormatStyle(
            dateSeparator: .dash, dateTimeSeparator: .standard, timeSeparator: .colon, timeZone: .gmt
        )
        .year().month().day().time(includingFractionalSeconds: false)
        for seconds in stride(from: Int64(-2_208_988_800), through: 4_102_444_800, by: 9_876_543) {
            #expect(CivilTime(seconds).iso8601 == Date(timeIntervalSince1970: Double(seconds)).formatted(style))
        }
    }
}
