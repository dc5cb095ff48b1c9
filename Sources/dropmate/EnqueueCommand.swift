import ArgumentParser
import DropMateApp
import DropMateCore
import Foundation

/// `dropmate enqueue KIND`: puts one job on the queue and exits (what schedulers such as a CronJob run).
struct EnqueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enqueue", abstract: "Queue one job for the workers, then exit.")

    @Argument(help: "The job kind (\(JobWorker.kinds.sorted().joined(separator: ", "))).") var kind: String
    @Option(help: "The job's JSON payload.") var payload: String = "{}"
    @Option(help: "Idempotency key: queuing the same key twice makes one job.") var key: String?
    @OptionGroup var options: ServerOptions

    func validate() throws {
        guard JobWorker.kinds.contains(kind) else {
            throw ValidationError("unknown job kind '\(kind)'; known kinds: \(JobWorker.kinds.sorted().joined(separator: ", "))")
        }
        guard (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) != nil else { throw ValidationError("--payload is not JSON") }
        if kind == PushJob.kind, (try? PushJob(payload: payload)) == nil {
            throw ValidationError("a push payload is {\"openID\": \"…\", \"message\": {\"text\": {\"_0\": \"…\"}}}")
        }
        if kind == SMSJob.kind, (try? SMSJob(payload: payload)) == nil {
            throw ValidationError("an sms payload is {\"phone\": \"+8613800138000\", \"text\": \"…\"}")
        }
    }

    func run() async throws {
        let config = try options.config()
        let logger = options.logger()
        let dependencies = try await options.dependencies(config, logger: logger)
        let now = Int64(Date().timeIntervalSince1970)
        do {
            try await dependencies.queue.enqueue(NewJob(kind: kind, payload: payload, idempotencyKey: key, runAt: now))
            print("queued \(kind)\(key.map { " (key \($0))" } ?? "")")
        } catch {
            FileHandle.standardError.write(Data("dropmate: enqueue failed: \(error)\n".utf8))
            await dependencies.backend.shutdown()
            throw ExitCode.failure
        }
        await dependencies.backend.shutdown()
    }
}
