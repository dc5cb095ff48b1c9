import DropMateCivilTime
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
        CivilDate.day(containing: Int64(localSeconds(date)))
    }
}

extension BusinessClock {
    /// `yyyy-MM-dd HH:mm:ss` in the business zone, without a DateFormatter.
    mutating func localText(_ date: Date) -> String {
        CivilTime(Int64(localSeconds(date))).text
    }

    /// The instant as an Excel serial date-time (days since 1899-12-30) of its local wall-clock time.
    mutating func excelSerial(_ date: Date) -> Double {
        Double(localSeconds(date)) / 86_400 + 25_569
    }
}
