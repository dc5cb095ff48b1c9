import DropMateCore
import DropMateEngine
import DropMateReports
import Foundation

/// The `daily-report` job: build one business day's report, store its files, record it, notify staff.
public struct DailyReportJob: JobPayload, Hashable {
    public static let kind = "daily-report"
    /// `YYYY-MM-DD` in the business time zone.
    public var date: String
    /// Build again even when this date was queued before.
    public var force: Bool

    public init(date: String, force: Bool = false) {
        self.date = date
        self.force = force
    }

    private enum CodingKeys: String, CodingKey { case date, force }

    /// Decodes a queued job's payload (`force` may be left out: `dropmate enqueue daily-report --payload` and
    /// older releases wrote `{"date": …}` alone).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            date: try container.decode(String.self, forKey: .date),
            force: try container.decodeIfPresent(Bool.self, forKey: .force) ?? false)
    }

    /// The idempotency key: `daily-report:DATE`, so queuing a date twice builds it once. A forced build gets a key
    /// of its own (`daily-report:DATE:force:<nonce>`), so it runs even after the date was built.
    public func idempotencyKey(nonce: String = UUID().uuidString) -> String {
        force ? "\(Self.kind):\(date):force:\(nonce)" : "\(Self.kind):\(date)"
    }

    /// The job to queue, due at `now`.
    public func job(now: Int64, nonce: String = UUID().uuidString) throws -> NewJob {
        try newJob(key: idempotencyKey(nonce: nonce), runAt: now)
    }

    /// The job for `date` (default: yesterday in `timeZone` at `now`); throws `ReportError.invalidDate` for a bad date.
    public static func make(date: String?, force: Bool, timeZone: TimeZone, now: Int64) throws -> DailyReportJob {
        let day: ReportDay
        if let date {
            guard let parsed = ReportDay(date, timeZone: timeZone) else { throw ReportError.invalidDate(date) }
            day = parsed
        } else {
            day = ReportDay.yesterday(now: Date(timeIntervalSince1970: TimeInterval(now)), timeZone: timeZone)
        }
        return DailyReportJob(date: day.isoDate, force: force)
    }
}
