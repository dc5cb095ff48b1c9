import Foundation

/// Converts instants to local wall-clock time in the business time zone, fast enough
/// for hundreds of thousands of timestamps (the zone offset is cached per quarter hour,
/// the finest step any zone's offset changes by).
struct BusinessClock {
    let timeZone: TimeZone
    private var offsetByQuarterHour: [Int: Int] = [:]

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// Seconds since 1970-01-01 00:00 *local* time: epoch seconds plus the zone's offset at that instant.
    mutating func localSeconds(_ date: Date) -> Int {
        let epoch = Int(date.timeIntervalSince1970.rounded(.down))
        let quarter = epoch >= 0 ? epoch / 900 : (epoch - 899) / 900
        if let offset = offsetByQuarterHour[quarter] { return epoch + offset }
        let offset = timeZone.secondsFromGMT(for: date)
        if offsetByQuarterHour.count > 4096 { offsetByQuarterHour.removeAll(keepingCapacity: true) }
        offsetByQuarterHour[quarter] = offset
        return epoch + offset
    }

    /// The local hour of the day, 0…23.
    mutating func localHour(_ date: Date) -> Int {
        let seconds = localSeconds(date)
        return ((seconds % 86_400 + 86_400) % 86_400) / 3_600
    }

    /// The local day number (days since 1970-01-01 local).
    mutating func localDay(_ date: Date) -> Int {
        let seconds = localSeconds(date)
        return seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    }
}

/// A calendar date without a time: the civil date of a local day number.
struct CivilDate: Hashable {
    var year: Int
    var month: Int
    var day: Int

    /// The civil date `days` days after 1970-01-01 (proleptic Gregorian).
    init(daysSince1970 days: Int) {
        // Count from 0000-03-01 so that leap days fall at the end of each 400-year era.
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
}

extension BusinessClock {
    /// `yyyy-MM-dd HH:mm:ss` in the business zone, without a DateFormatter.
    mutating func localText(_ date: Date) -> String {
        let seconds = localSeconds(date)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let civil = CivilDate(daysSince1970: days)
        var bytes = [UInt8]()
        bytes.reserveCapacity(19)
        func append(_ value: Int, digits: Int) {
            var divisor = 1
            for _ in 1..<digits { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        append(civil.year, digits: 4); bytes.append(UInt8(ascii: "-"))
        append(civil.month, digits: 2); bytes.append(UInt8(ascii: "-"))
        append(civil.day, digits: 2); bytes.append(UInt8(ascii: " "))
        append(secondOfDay / 3_600, digits: 2); bytes.append(UInt8(ascii: ":"))
        append(secondOfDay / 60 % 60, digits: 2); bytes.append(UInt8(ascii: ":"))
        append(secondOfDay % 60, digits: 2)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The instant as an Excel serial date-time (days since 1899-12-30) of its local wall-clock time.
    mutating func excelSerial(_ date: Date) -> Double {
        Double(localSeconds(date)) / 86_400 + 25_569
    }
}
