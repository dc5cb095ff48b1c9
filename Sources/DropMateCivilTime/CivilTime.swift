/// A date of the proleptic Gregorian calendar, converted to and from a day count without a formatter object or a
/// time-zone database (Howard Hinnant's days-from-civil and its inverse): cheap enough for every field of every
/// answer, every log line and every row of a report.
public struct CivilDate: Sendable, Hashable, Comparable {
    public var year: Int
    /// 1…12.
    public var month: Int
    /// 1…31.
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `days` days after 1970-01-01 (negative: before it).
    public init(daysSince1970 days: Int) {
        // Count from 0000-03-01, so that the leap day falls at the end of each year and each 400-year era.
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days since 1970-01-01 (days-from-civil), the inverse of `init(daysSince1970:)`.
    public var daysSince1970: Int {
        let marchYear = month <= 2 ? year - 1 : year
        let era = (marchYear >= 0 ? marchYear : marchYear - 399) / 400
        let yearOfEra = marchYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The day number that second `seconds` (since 1970-01-01 00:00 at some offset) falls on: floor division, so
    /// the second before 1970 is on day -1.
    public static func day(containing seconds: Int64) -> Int {
        Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
    }

    /// `2026-12-05`.
    public var text: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(10)
        appendText(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    func appendText(to bytes: inout [UInt8]) {
        CivilDigits.append(year, width: 4, to: &bytes); bytes.append(UInt8(ascii: "-"))
        CivilDigits.append(month, width: 2, to: &bytes); bytes.append(UInt8(ascii: "-"))
        CivilDigits.append(day, width: 2, to: &bytes)
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

/// A calendar date and time of day from seconds since 1970 at some offset.
public struct CivilTime: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    /// `local`: Unix seconds already shifted into the wanted time zone (UTC: as they are).
    public init(_ local: Int64) {
        let days = CivilDate.day(containing: local)
        let secondOfDay = Int(local - Int64(days) * 86_400)
        let date = CivilDate(daysSince1970: days)
        year = date.year
        month = date.month
        day = date.day
        hour = secondOfDay / 3_600
        minute = secondOfDay / 60 % 60
        second = secondOfDay % 60
    }

    /// The date without the time.
    public var date: CivilDate { CivilDate(year: year, month: month, day: day) }

    /// `2026-12-05 10:45:21`.
    public var text: String { text(separator: UInt8(ascii: " ")) }

    /// `2026-12-05T10:45:21`: ISO 8601's extended form without an offset (the caller appends `Z`, `+08:00`, …).
    public var iso8601: String { text(separator: UInt8(ascii: "T")) }

    /// "07", "12".
    public static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private func text(separator: UInt8) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(19)
        date.appendText(to: &bytes)
        bytes.append(separator)
        CivilDigits.append(hour, width: 2, to: &bytes); bytes.append(UInt8(ascii: ":"))
        CivilDigits.append(minute, width: 2, to: &bytes); bytes.append(UInt8(ascii: ":"))
        CivilDigits.append(second, width: 2, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

enum CivilDigits {
    /// `value` in decimal, zero-padded to at least `width` digits (a year past 9999 keeps all its digits; a year
    /// before 1 gets its minus sign first).
    static func append(_ value: Int, width: Int, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var divisor: UInt = 1, count = 1
        while divisor <= magnitude / 10 {
            divisor *= 10
            count += 1
        }
        if count < width { bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - count)) }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        }
    }
}
