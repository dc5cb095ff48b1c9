import DropMateReports
import DropMateStorage
import Foundation
import ServiceLifecycle

/// Daily reports over these dependencies: the job's runner, the staff API's access, the H5 page, the embedded schedule.
extension AppDependencies {
    /// The `reports` table.
    public var reportStore: SQLReportStore { SQLReportStore(backend: backend, sealer: store.sealer) }

    /// Runs `daily-report` jobs.
    public var reportRunner: DailyReportRunner {
        let engine = self.engine
        var runner = DailyReportRunner(
            reads: reads, reports: reportStore, staff: staff, objects: objects, catalog: { engine.catalog },
            settings: config.reports, signer: signer, publicBaseURL: config.publicBaseURL, clock: clock, logger: logger)
        runner.metrics = telemetry.metrics
        runner.payments =
            switch config.payment?.mode {
            case .required: .required
            case .optional: .optional
            case nil: .off
            }
        return runner
    }

    var reportAccess: ReportAccess {
        ReportAccess(
            store: reportStore, settings: config.reports,
            links: ReportLinks(signer: signer, publicBaseURL: config.publicBaseURL))
    }

    var reportPages: ReportPageRoutes {
        ReportPageRoutes(reports: reportStore, objects: objects, signer: signer, clock: clock, logger: logger)
    }

    /// The embedded default (no `DATABASE_URL`) schedules its own reports when it runs the worker; production's CronJob does it there.
    func reportServices(runWorker: Bool) -> [any Service] {
        guard runWorker, config.databaseURL == nil else { return [] }
        return [reportScheduler]
    }

    /// Queues yesterday's report once `DROPMATE_REPORT_AT` has passed. Production workers run it with
    /// `dropmate worker --schedule-reports` where there is no CronJob (compose). Several at once are harmless: the
    /// job's idempotency key makes one report a day.
    var reportScheduler: any Service {
        ReportScheduler(queue: queue, reports: reportStore, settings: config.reports, clock: clock, logger: logger)
    }
}
