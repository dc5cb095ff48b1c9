/// A day of the week, Monday first (ISO 8601).
public enum Weekday: Int, Sendable, Hashable, Codable, CaseIterable {
    case monday = 0
    case tuesday, wednesday, thursday, friday, saturday, sunday

    /// The key staff write in the API ("mon" … "sun").
    public var key: String { ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][rawValue] }

    public init?(key: String) {
        guard let day = Weekday.allCases.first(where: { $0.key == key }) else { return nil }
        self = day
    }
}

/// One stretch of opening on a day, in minutes since local midnight.
///
/// `closes` after `opens` closes the same day (10:00–14:00); `closes` at or before `opens` runs past midnight into the
/// next day (18:00–02:00; 20:00–00:00 closes at midnight). 00:00–24:00 is the whole day. The shop is open from the
/// minute it opens and closed from the minute it closes.
public struct OpeningInterval: Sendable, Hashable, Codable {
    /// 0 ..< 1440.
    public var opens: Int
    /// 0 ... 1440.
    public var closes: Int

    public init(opens: Int, closes: Int) {
        self.opens = opens
        self.closes = closes
    }

    /// From "HH:MM" to "HH:MM" (24:00 allowed as a closing time); nil when either is not such a time.
    public init?(opens: String, closes: String) {
        guard let open = Self.minutes(opens), open < 1440, let close = Self.minutes(closes) else { return nil }
        self.init(opens: open, closes: close)
    }

    /// Minutes past midnight of "HH:MM" (00:00 … 24:00), or nil.
    public static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let hours = Int(parts[0]), let minutes = Int(parts[1]), minutes < 60,
            hours < 24 || (hours == 24 && minutes == 0)
        else { return nil }
        return hours * 60 + minutes
    }

    /// "HH:MM".
    public static func text(_ minutes: Int) -> String {
        let hours = minutes / 60, rest = minutes % 60
        return "\(hours < 10 ? "0" : "")\(hours):\(rest < 10 ? "0" : "")\(rest)"
    }

    public var crossesMidnight: Bool { closes <= opens }
    /// How long it is open, in minutes (1 … 1440).
    public var length: Int { crossesMidnight ? closes + 1440 - opens : closes - opens }
}

/// Opening hours for each day of the week, in the business time zone. A day without intervals is a closed day.
public struct WeeklyHours: Sendable, Hashable, Codable {
    /// Monday first; always seven entries.
    public private(set) var days: [[OpeningInterval]]

    public init(_ days: [Weekday: [OpeningInterval]] = [:]) {
        self.days = Weekday.allCases.map { days[$0] ?? [] }
    }

    public subscript(day: Weekday) -> [OpeningInterval] {
        get { days[day.rawValue] }
        set { days[day.rawValue] = newValue }
    }

    /// The same intervals every day.
    public static func daily(_ intervals: [OpeningInterval]) -> WeeklyHours {
        WeeklyHours(Dictionary(uniqueKeysWithValues: Weekday.allCases.map { ($0, intervals) }))
    }

    public init(from decoder: any Decoder) throws {
        let days = try decoder.singleValueContainer().decode([[OpeningInterval]].self)
        guard days.count == 7 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "seven days"))
        }
        self.days = days
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(days)
    }

    /// The hours as customers and staff read them: "10:00-14:00, 17:00-02:00" when every day is the same, else each
    /// day ("mon 10:00-14:00; tue closed; …"). The same in both languages (day keys are the API's).
    public var text: String {
        func day(_ intervals: [OpeningInterval]) -> String {
            intervals.isEmpty
                ? "closed"
                : intervals.sorted { $0.opens < $1.opens }
                    .map { "\(OpeningInterval.text($0.opens))-\(OpeningInterval.text($0.closes))" }.joined(
                        separator: ", ")
        }
        if Set(days.map { $0.sorted { $0.opens < $1.opens } }).count == 1 { return day(days[0]) }
        return Weekday.allCases.map { "\($0.key) \(day(self[$0]))" }.joined(separator: "; ")
    }

    static let week = 7 * 1440

    /// Every interval as a half-open range of minutes of the week (Monday 00:00 = 0), split where it runs past
    /// Sunday midnight into Monday, sorted.
    var segments: [Range<Int>] {
        var result: [Range<Int>] = []
        for (day, intervals) in days.enumerated() {
            for interval in intervals {
                let start = day * 1440 + interval.opens, end = start + interval.length
                if end <= Self.week {
                    result.append(start..<end)
                } else {
                    result.append(start..<Self.week)
                    result.append(0..<(end - Self.week))
                }
            }
        }
        return result.sorted { $0.lowerBound < $1.lowerBound }
    }

    /// Why these hours cannot be used, or nil: times out of range, an empty interval, or two that overlap (an
    /// interval past midnight counts on the next day too).
    public var problem: ShopRulesProblem? {
        for day in Weekday.allCases {
            for interval in self[day] {
                guard (0..<1440).contains(interval.opens), (0...1440).contains(interval.closes) else {
                    return .invalidTime(day)
                }
                guard interval.opens != interval.closes else { return .emptyInterval(day) }
            }
            if self[day].count > 6 { return .tooManyIntervals(day) }
        }
        let segments = segments
        for (left, right) in zip(segments, segments.dropFirst()) where left.upperBound > right.lowerBound {
            return .overlappingIntervals(Weekday(rawValue: right.lowerBound / 1440)!)
        }
        return nil
    }

    /// Whether the shop is open at `minute` of the week (0 = Monday 00:00).
    func isOpen(atMinuteOfWeek minute: Int) -> Bool { segments.contains { $0.contains(minute) } }

    /// Minutes from `minute` of the week until the shop next opens; nil when it never opens. 0 when open.
    func minutesUntilOpen(fromMinuteOfWeek minute: Int) -> Int? {
        let segments = segments
        if segments.contains(where: { $0.contains(minute) }) { return 0 }
        return segments.map { ($0.lowerBound - minute + Self.week) % Self.week }.min()
    }

    /// Minutes from `minute` of the week until the shop closes, following intervals that meet end to start; nil when
    /// it is not open then, or never closes (open around the clock).
    func minutesUntilClose(fromMinuteOfWeek minute: Int) -> Int? {
        let segments = segments
        guard var current = segments.first(where: { $0.contains(minute) }) else { return nil }
        var elapsed = current.upperBound - minute
        while elapsed <= Self.week {
            let end = current.upperBound % Self.week
            guard let next = segments.first(where: { $0.lowerBound == end }) else { return elapsed }
            current = next
            elapsed += next.count
        }
        return nil
    }
}

/// Local time in the business time zone, at a fixed offset from UTC (Asia/Shanghai: +8 h, no daylight saving).
/// Integer arithmetic only: no calendar, no time-zone database.
public struct BusinessTime: Sendable, Hashable {
    /// Seconds east of UTC.
    public var utcOffsetSeconds: Int

    public init(utcOffsetSeconds: Int) { self.utcOffsetSeconds = utcOffsetSeconds }

    public static let shanghai = BusinessTime(utcOffsetSeconds: 8 * 3600)

    /// Whole local minutes since 1970-01-01 00:00 local.
    func localMinute(_ unix: Int64) -> Int64 { floorDiv(unix + Int64(utcOffsetSeconds), 60) }

    /// The minute of the week (Monday 00:00 = 0) at `unix`. 1970-01-01 was a Thursday.
    public func minuteOfWeek(_ unix: Int64) -> Int {
        let minute = localMinute(unix)
        let day = floorDiv(minute, 1440)
        let weekday = Int(((day + 3) % 7 + 7) % 7)
        return weekday * 1440 + Int(minute - day * 1440)
    }

    /// The weekday at `unix`.
    public func weekday(_ unix: Int64) -> Weekday { Weekday(rawValue: minuteOfWeek(unix) / 1440)! }

    /// The Unix second at which the local minute `minutes` after `unix`'s minute starts.
    func start(ofMinutesAfter minutes: Int, from unix: Int64) -> Int64 {
        (localMinute(unix) + Int64(minutes)) * 60 - Int64(utcOffsetSeconds)
    }

    private func floorDiv(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }
}
