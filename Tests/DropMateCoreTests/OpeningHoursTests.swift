import DropMateCivilTime
import Foundation
import Testing

@testable import DropMateCore

/// Unix seconds of a local date and time in Shanghai (+8, no DST), by days-from-civil: no calendar involved.
func shanghai(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int = 0) -> Int64 {
    let days = Int64(CivilDate(year: year, month: month, day: day).daysSince1970)
    return days * 86_400 + Int64(hour * 3600 + minute * 60 + second - 8 * 3600)
}

/// Opening hours: the minute a shop opens and closes, midnight, the week's wrap, closed days, the time zone.
@Suite struct OpeningHoursTests {
    let time = BusinessTime.shanghai
    /// 2026-11-23 is a Monday.
    static func monday(_ hour: Int, _ minute: Int, _ second: Int = 0, plusDays days: Int = 0) -> Int64 {
        shanghai(2026, 11, 23 + days, hour, minute, second)
    }

    static func rules(_ hours: WeeklyHours, later: Bool = false) -> ShopRules {
        ShopRules(hours: hours, acceptsOrdersForLater: later)
    }
    static let lunchAndDinner = WeeklyHours.daily([
        OpeningInterval(opens: "10:00", closes: "14:00")!, OpeningInterval(opens: "17:00", closes: "21:00")!,
    ])

    @Test func weekdaysAndMinutesAreCountedInTheBusinessTimeZoneWithoutACalendar() {
        #expect(time.weekday(Self.monday(0, 0)) == .monday)
        #expect(time.weekday(Self.monday(23, 59, 59)) == .monday)
        #expect(time.weekday(Self.monday(0, 0, plusDays: 6)) == .sunday)
        #expect(time.minuteOfWeek(Self.monday(10, 30, plusDays: 2)) == 2 * 1440 + 630)
        // Monday 07:59 in Shanghai is still Sunday 23:59 in UTC; the offset decides.
        let instant = Self.monday(7, 59)
        #expect(BusinessTime(utcOffsetSeconds: 0).weekday(instant) == .sunday && time.weekday(instant) == .monday)
        // Before 1970 too (floor, not truncation).
        #expect(time.weekday(shanghai(1969, 12, 31, 23, 0)) == .wednesday)
    }

    @Test func theShopOpensOnItsMinuteAndClosesOnItsMinute() {
        let rules = Self.rules(Self.lunchAndDinner)
        #expect(rules.availability(at: Self.monday(9, 59, 59), in: time) == .closed(opensAt: Self.monday(10, 0)))
        #expect(rules.availability(at: Self.monday(10, 0), in: time) == .open(closesAt: Self.monday(14, 0)))
        #expect(rules.availability(at: Self.monday(13, 59, 59), in: time) == .open(closesAt: Self.monday(14, 0)))
        #expect(rules.availability(at: Self.monday(14, 0), in: time) == .closed(opensAt: Self.monday(17, 0)))
        #expect(
            rules.availability(at: Self.monday(21, 0), in: time) == .closed(opensAt: Self.monday(10, 0, plusDays: 1)))
    }

    @Test func theSameInstantIsOpenOrClosedByTheTimeZone() {
        let rules = Self.rules(Self.lunchAndDinner)
        let instant = Self.monday(10, 0)  // 02:00 UTC
        #expect(rules.availability(at: instant, in: .shanghai).isOpen)
        #expect(!rules.availability(at: instant, in: BusinessTime(utcOffsetSeconds: 0)).isOpen)
    }

    @Test func anIntervalPastMidnightKeepsTheShopOpenIntoTheNextDay() {
        var hours = WeeklyHours()
        hours[.friday] = [OpeningInterval(opens: "18:00", closes: "02:00")!]
        let rules = Self.rules(hours)
        let friday = 4
        #expect(
            rules.availability(at: Self.monday(23, 59, plusDays: friday), in: time)
                == .open(closesAt: Self.monday(2, 0, plusDays: friday + 1)))
        #expect(
            rules.availability(at: Self.monday(0, 0, plusDays: friday + 1), in: time).isOpen,
            "Saturday midnight is still Friday night")
        #expect(rules.availability(at: Self.monday(1, 59, plusDays: friday + 1), in: time).isOpen)
        #expect(
            rules.availability(at: Self.monday(2, 0, plusDays: friday + 1), in: time)
                == .closed(opensAt: Self.monday(18, 0, plusDays: friday + 7)))
        #expect(
            !rules.availability(at: Self.monday(1, 0, plusDays: friday), in: time).isOpen,
            "Thursday night has no such interval")
    }

    @Test func intervalsThatMeetAtMidnightAreOneOpeningAndSundayNightRunsIntoMonday() {
        var hours = WeeklyHours()
        hours[.monday] = [OpeningInterval(opens: "20:00", closes: "24:00")!]
        hours[.tuesday] = [OpeningInterval(opens: "00:00", closes: "03:00")!]
        hours[.sunday] = [OpeningInterval(opens: "22:00", closes: "01:00")!]
        #expect(hours.problem == nil)
        let rules = Self.rules(hours)
        #expect(rules.availability(at: Self.monday(22, 0), in: time) == .open(closesAt: Self.monday(3, 0, plusDays: 1)))
        #expect(
            rules.availability(at: Self.monday(0, 30), in: time) == .open(closesAt: Self.monday(1, 0)),
            "last Sunday's night")
        #expect(rules.availability(at: Self.monday(1, 0), in: time) == .closed(opensAt: Self.monday(20, 0)))
        #expect(
            rules.availability(at: Self.monday(23, 0, plusDays: 6), in: time)
                == .open(closesAt: Self.monday(1, 0, plusDays: 7)))
    }

    @Test func closedDaysWaitForTheNextOpenDayAndNoHoursMeanNeverOpen() {
        var hours = WeeklyHours()
        hours[.monday] = [OpeningInterval(opens: "10:00", closes: "14:00")!]
        #expect(
            Self.rules(hours).availability(at: Self.monday(12, 0, plusDays: 2), in: time)
                == .closed(opensAt: Self.monday(10, 0, plusDays: 7)))
        #expect(Self.rules(WeeklyHours()).availability(at: Self.monday(12, 0), in: time) == .closed(opensAt: nil))
        #expect(ShopRules.unrestricted.availability(at: Self.monday(3, 0), in: time) == .open(closesAt: nil))
        #expect(
            Self.rules(.daily([OpeningInterval(opens: "00:00", closes: "24:00")!])).availability(
                at: Self.monday(3, 0), in: time) == .open(closesAt: nil),
            "open every minute of the week never closes")
    }

    @Test func overlappingEmptyOrMalformedIntervalsAreRefused() {
        var hours = WeeklyHours()
        hours[.monday] = [
            OpeningInterval(opens: "10:00", closes: "14:00")!, OpeningInterval(opens: "13:00", closes: "15:00")!,
        ]
        #expect(hours.problem == .overlappingIntervals(.monday))
        hours[.monday] = [
            OpeningInterval(opens: "10:00", closes: "14:00")!, OpeningInterval(opens: "14:00", closes: "15:00")!,
        ]
        #expect(hours.problem == nil, "touching is not overlapping")
        hours[.monday] = [OpeningInterval(opens: "22:00", closes: "02:00")!]
        hours[.tuesday] = [OpeningInterval(opens: "01:00", closes: "05:00")!]
        #expect(hours.problem == .overlappingIntervals(.tuesday))
        var wrap = WeeklyHours()
        wrap[.sunday] = [OpeningInterval(opens: "22:00", closes: "02:00")!]
        wrap[.monday] = [OpeningInterval(opens: "01:00", closes: "05:00")!]
        #expect(wrap.problem == .overlappingIntervals(.monday))
        var empty = WeeklyHours()
        empty[.wednesday] = [OpeningInterval(opens: 600, closes: 600)]
        #expect(empty.problem == .emptyInterval(.wednesday))
        #expect(
            OpeningInterval(opens: "24:00", closes: "10:00") == nil
                && OpeningInterval(opens: "9:00", closes: "10:00") == nil)
        #expect(
            OpeningInterval(opens: "10:00", closes: "24:01") == nil
                && OpeningInterval(opens: "10:60", closes: "11:00") == nil)
        #expect(
            OpeningInterval.minutes("24:00") == 1440 && OpeningInterval.text(1440) == "24:00"
                && OpeningInterval.text(65) == "01:05")
    }

    @Test func hoursReadAsOneLineWhenEveryDayIsTheSameAndDayByDayOtherwise() {
        #expect(Self.lunchAndDinner.text == "10:00-14:00, 17:00-21:00")
        var hours = WeeklyHours.daily([OpeningInterval(opens: "18:00", closes: "02:00")!])
        hours[.sunday] = []
        #expect(
            hours.text
                == "mon 18:00-02:00; tue 18:00-02:00; wed 18:00-02:00; thu 18:00-02:00; fri 18:00-02:00; sat 18:00-02:00; sun closed"
        )
        #expect(WeeklyHours().text == "closed")
    }

    @Test func aPauseHoldsUntilItsTimeOrUntilResumed() {
        var rules = Self.rules(Self.lunchAndDinner)
        rules.pause = .until(Self.monday(12, 0))
        #expect(
            rules.availability(at: Self.monday(11, 0), in: time)
                == .paused(until: Self.monday(12, 0), reopensAt: Self.monday(12, 0)))
        #expect(
            rules.availability(at: Self.monday(12, 0), in: time) == .open(closesAt: Self.monday(14, 0)),
            "the pause ended by itself")
        rules.pause = .until(Self.monday(15, 0))
        #expect(
            rules.availability(at: Self.monday(11, 0), in: time)
                == .paused(until: Self.monday(15, 0), reopensAt: Self.monday(17, 0)),
            "paused into a closed afternoon: it takes orders again at the next opening")
        rules.pause = .untilResumed
        #expect(
            rules.availability(at: Self.monday(11, 0, plusDays: 30), in: time) == .paused(until: nil, reopensAt: nil))
        rules.pause = .off
        #expect(rules.availability(at: Self.monday(11, 0), in: time).isOpen)
    }
}

/// The hours against a reference that walks the week minute by minute, on many generated schedules.
@Suite struct OpeningHoursReferenceTests {
    static func openByReference(_ hours: WeeklyHours, _ minute: Int) -> Bool {
        Weekday.allCases.contains { day in
            hours[day].contains { interval in
                ((minute - (day.rawValue * 1440 + interval.opens)) % 10_080 + 10_080) % 10_080 < interval.length
            }
        }
    }

    @Test func availabilityAgreesWithAMinuteByMinuteWalk() {
        var random = SeededGenerator(state: 20_261_125)
        let time = BusinessTime.shanghai
        let monday = shanghai(2026, 11, 23, 0, 0)
        var checked = 0
        while checked < 60 {
            var hours = WeeklyHours()
            for day in Weekday.allCases {
                hours[day] = (0..<Int.random(in: 0...3, using: &random)).map { _ in
                    OpeningInterval(
                        opens: Int.random(in: 0..<96, using: &random) * 15,
                        closes: Int.random(in: 0...96, using: &random) * 15)
                }
            }
            guard hours.problem == nil else { continue }
            checked += 1
            let rules = ShopRules(hours: hours)
            for _ in 0..<10 {
                let instant = monday + Int64.random(in: 0..<(7 * 86_400), using: &random)
                let minute = time.minuteOfWeek(instant)
                // the minute's first second (Shanghai is a whole number of minutes off UTC)
                let start = instant - instant % 60
                let open = Self.openByReference(hours, minute)
                // Walk forward to the next change (at most a week; none: never changes).
                var step = 1
                while step <= 10_080, Self.openByReference(hours, (minute + step) % 10_080) == open { step += 1 }
                let change: Int64? = step > 10_080 ? nil : start + Int64(step) * 60
                let expected: Availability = open ? .open(closesAt: change) : .closed(opensAt: change)
                #expect(rules.availability(at: instant, in: time) == expected, "\(hours.text) at minute \(minute)")
            }
        }
    }
}
