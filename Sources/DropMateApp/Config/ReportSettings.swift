import DropMateReports
import Foundation

/// When and in which time zone daily reports are made (`DROPMATE_TIMEZONE`, `DROPMATE_REPORT_AT`).
public struct ReportSettings: Sendable, Hashable {
    /// The business time zone: a report covers one local day in it (default Asia/Shanghai).
    public var timeZone: TimeZone
    /// Minutes after local midnight at which the embedded default queues yesterday's report (default 00:30).
    public var minuteOfDay: Int
    /// How long the link in a report notice opens the report page, in seconds.
    public var linkTTL: Int64 = 7 * 86_400

    public init(timeZone: TimeZone = ReportDay.defaultTimeZone, minuteOfDay: Int = 30) {
        self.timeZone = timeZone
        self.minuteOfDay = minuteOfDay
    }

    /// Reads both variables, reporting every problem through `problem`.
    static func load(_ env: [String: String], problem: (String, String) -> Void) -> ReportSettings {
        var settings = ReportSettings()
        let zoneName = env["DROPMATE_TIMEZONE"].flatMap { $0.isEmpty ? nil : $0 } ?? "Asia/Shanghai"
        if let zone = TimeZone(identifier: zoneName) {
            settings.timeZone = zone
        } else {
            problem("DROPMATE_TIMEZONE", "must be an IANA time zone such as Asia/Shanghai")
        }
        let at = env["DROPMATE_REPORT_AT"].flatMap { $0.isEmpty ? nil : $0 } ?? "00:30"
        if let minute = parseClockTime(at) {
            settings.minuteOfDay = minute
        } else {
            problem("DROPMATE_REPORT_AT", "must be a local time HH:MM from 00:00 to 23:59")
        }
        return settings
    }

    /// `HH:MM` → minutes after midnight.
    static func parseClockTime(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
            let hour = Int(parts[0]), let minute = Int(parts[1]), (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        return hour * 60 + minute
    }

    /// `HH:MM`.
    public var clockTime: String { String(format: "%02d:%02d", minuteOfDay / 60, minuteOfDay % 60) }
}
