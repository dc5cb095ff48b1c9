import Foundation

/// One business day in the business time zone: the unit a report covers.
public struct ReportDay: Sendable, Hashable {
    public let year: Int
    public let month: Int
    public let day: Int
    public let timeZone: TimeZone
    /// Local midnight at the start of the day.
    public let start: Date
    /// Local midnight at the start of the next day (23 or 25 hours later across a DST change).
    public let end: Date

    /// The business zone used when none is configured.
    public static let defaultTimeZone = TimeZone(identifier: "Asia/Shanghai")!

    /// The day `year-month-day` in `timeZone`; `nil` for a date that does not exist.
    public init?(year: Int, month: Int, day: Int, timeZone: TimeZone = ReportDay.defaultTimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: year, month: month, day: day)
        guard let start = calendar.date(from: components),
            calendar.component(.day, from: start) == day, calendar.component(.month, from: start) == month,
            let end = calendar.date(byAdding: .day, value: 1, to: start)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
        self.timeZone = timeZone
        self.start = start
        self.end = end
    }

    /// Parses `YYYY-MM-DD`; `nil` when malformed or not a real date.
    public init?(_ text: String, timeZone: TimeZone = ReportDay.defaultTimeZone) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day, timeZone: timeZone)
    }

    /// The business day before the one containing `now`: the default report date.
    public static func yesterday(now: Date, timeZone: TimeZone = ReportDay.defaultTimeZone) -> ReportDay {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let previous = calendar.date(byAdding: .day, value: -1, to: now)!
        let parts = calendar.dateComponents([.year, .month, .day], from: previous)
        return ReportDay(year: parts.year!, month: parts.month!, day: parts.day!, timeZone: timeZone)!
    }

    /// `YYYY-MM-DD`.
    public var isoDate: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Whether `date` falls within the day: `start ≤ date < end`.
    public func contains(_ date: Date) -> Bool { date >= start && date < end }
}
