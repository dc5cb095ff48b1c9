import DropMateCore
import DropMateReports
import DropMateStorage
import Foundation
import Logging
import ServiceLifecycle

/// The embedded default's own report schedule: once the local time passes `DROPMATE_REPORT_AT`, yesterday's
/// report is queued (once per day). On start, a day missed while the server was down is queued at once when
/// its report is not recorded. Production leaves this to the CronJob (`dropmate enqueue daily-report`).
struct ReportScheduler: Service {
    let queue: any JobQueue
    let reports: SQLReportStore
    let settings: ReportSettings
    let clock: @Sendable () -> Int64
    let logger: Logger
    var checkEvery: Duration = .seconds(20)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var queued: String?
            while !Task.isCancelled {
                do { queued = try await tick(alreadyQueued: queued) } catch {
                    logger.error("report schedule check failed", metadata: ["dropmate.error": "\(error)"])
                }
                try? await Task.sleep(for: checkEvery)
            }
        }
    }

    /// Queues yesterday's report if the report time has passed today, it is not recorded and this process has not
    /// queued it yet. Returns the date queued (or already handled) so far. The job's idempotency key keeps it one build.
    func tick(alreadyQueued: String?) async throws -> String? {
        let now = clock()
        let instant = Date(timeIntervalSince1970: TimeInterval(now))
        let yesterday = ReportDay.yesterday(now: instant, timeZone: settings.timeZone).isoDate
        guard yesterday != alreadyQueued else { return alreadyQueued }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = settings.timeZone
        let local = calendar.dateComponents([.hour, .minute], from: instant)
        guard (local.hour ?? 0) * 60 + (local.minute ?? 0) >= settings.minuteOfDay else { return alreadyQueued }
        if try await reports.report(date: yesterday) == nil {
            try await queue.enqueue(try DailyReportJob(date: yesterday).job(now: now))
            logger.info(
                "daily report queued",
                metadata: ["dropmate.report_date": "\(yesterday)", "dropmate.report_at": "\(settings.clockTime)"])
        }
        return yesterday
    }
}
