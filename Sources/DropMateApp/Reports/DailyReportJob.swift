import DropMateCore
import DropMateReports
import Foundation

/// The `daily-report` job: build one business day's report, store its files, record it, notify staff.
public struct DailyReportJob: Sendable, Hashable, Codable {
    public static let kind = "daily-report"
    /// `YYYY-MM-DD` in the business time zone.
    public var date: String
    /// Build again even when this date was queued before.
    public var force: Bool

    public init(date: String, force: Bool = false) {
        self.date = date
        self.force = force
    }

    /// Decodes a queued job's payload (`force` may be left out).
    public init(payload: String) throws {
        struct Wire: Decodable { var date: String; var force: Bool? }
        let wire = try JSONDecoder().decode(Wire.self, from: Data(payload.utf8))
        self.init(date: wire.date, force: wire.force ?? false)
    }

    /// The idempotency key: `daily-report:DATE`, so queuing a date twice builds it once. A forced build gets a key
    /// of its own (`daily-report:DATE:force:<nonce>`), so it runs even after the date was built.
    public func idempotencyKey(nonce: String = UUID().uuidString) -> String {
        force ? "\(Self.kind):\(date):force:\(nonce)" : "\(Self.kind):\(date)"
    }

    /// The job to queue, due at `now`.
    public func job(now: Int64, nonce: String = UUID().uuidString) throws -> NewJob {
        let payload = String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
        return NewJob(kind: Self.kind, payload: payload, idempotencyKey: idempotencyKey(nonce: nonce), runAt: now)
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
