import ArgumentParser
import DropMateApp
import DropMateCore
import DropMateEngine
import Foundation

/// `dropmate enqueue KIND`: puts one job on the queue and exits (what schedulers such as a CronJob run).
struct EnqueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue", abstract: "Queue one job for the workers, then exit.")

    @Argument(
        help: "The job kind: one the workers register (push, sms, daily-report, …); another is refused with the list.")
    var kind: String
    @Option(help: "The job's JSON payload.") var payload: String = "{}"
    @Option(help: "Idempotency key: queuing the same key twice makes one job.") var key: String?
    @Option(help: "daily-report: the business day YYYY-MM-DD (default: yesterday in DROPMATE_TIMEZONE).") var date:
        String?
    @Flag(help: "daily-report: build again even if this date was built before.") var force = false
    @OptionGroup var options: DataOptions

    func validate() throws {
        guard (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) != nil else {
            throw ValidationError("--payload is not JSON")
        }
        if kind != DailyReportJob.kind, date != nil || force {
            throw ValidationError("--date and --force are for daily-report")
        }
        if kind == DailyReportJob.kind,
            (try? DailyReportJob.make(date: date, force: force, timeZone: .gmt, now: 0)) == nil
        {
            throw ValidationError("--date must be a date YYYY-MM-DD")
        }
    }

    func run() async throws {
        let config = try options.config()
        let logger = options.logger()
        let dependencies = try await options.dependencies(config, logger: logger)
        let now = Int64(Date().timeIntervalSince1970)
        // The worker's own registrations decide: a kind it has no handler for, or a payload its handler could not
        // read, is refused here rather than dead-lettered there.
        if kind != DailyReportJob.kind, let refusal = dependencies.worker.registry.refusal(kind: kind, payload: payload)
        {
            FileHandle.standardError.write(Data("dropmate: \(refusal)\n".utf8))
            await dependencies.backend.shutdown()
            throw ExitCode.validationFailure
        }
        do {
            var job = NewJob(kind: kind, payload: payload, idempotencyKey: key, runAt: now)
            if kind == DailyReportJob.kind {
                // The report's own payload and key (`daily-report:DATE`): queuing a date twice builds it once.
                job = try DailyReportJob.make(date: date, force: force, timeZone: config.reports.timeZone, now: now)
                    .job(now: now)
            }
            if let key = job.idempotencyKey, let existing = try await dependencies.queue.existingJob(key: key) {
                // Queuing the same key again makes no second job: say what became of the first.
                if existing.state == "dead" {
                    let rebuild = kind == DailyReportJob.kind ? ", or --force builds the report anew" : ""
                    FileHandle.standardError.write(
                        Data(
                            """
                            dropmate: job #\(existing.id) (key \(key)) is dead: \(existing.lastError ?? "no reason recorded"). \
                            `dropmate jobs retry \(existing.id)` runs it again\(rebuild).

                            """.utf8))
                } else {
                    print("already queued as job #\(existing.id) (key \(key), \(existing.state)): nothing to do")
                }
            } else {
                try await dependencies.queue.enqueue(job)
                print("queued \(kind)\(job.idempotencyKey.map { " (key \($0))" } ?? "")")
            }
        } catch {
            FileHandle.standardError.write(Data("dropmate: enqueue failed: \(error)\n".utf8))
            await dependencies.shutdown()
            throw ExitCode.failure
        }
        await dependencies.shutdown()
    }
}
