import DropMateCore
import DropMateEngine
import DropMateTelemetry
import Logging

/// What a job's handler gets besides its payload.
public struct JobContext: Sendable {
    /// The job's id: for logs, delivery records and the keys of the jobs it queues in turn (so a rerun queues none twice).
    public var jobID: Int64
    /// This run, counting from 1.
    public var attempt: Int
    /// The worker's logger, with the job's id and kind attached.
    public var logger: Logger
}

/// The handlers a worker runs, by job kind (as Hummingbird's jobs register theirs): `register(PushJob.self) { push,
/// context in … }`. The registry decodes each claimed job once; a kind with no handler here, or a payload that does
/// not decode, becomes a `JobWork.Action` the worker dead-letters (see `JobWorker`), never a crash.
public struct JobRegistry: Sendable {
    /// A job decoded by its kind's registration: its lane and its handler, bound to the payload.
    struct Decoded: Sendable {
        var lane: String?
        var run: @Sendable (JobContext) async throws -> Void
    }

    private var registrations: [String: @Sendable (String) throws -> Decoded] = [:]
    private var hints: [String: String] = [:]

    public init() {}

    /// The kinds with a handler.
    public var kinds: Set<String> { Set(registrations.keys) }

    /// Runs `handler` for every job of `Payload.kind`. A kind is registered once (twice is a wiring mistake).
    public mutating func register<Payload: JobPayload>(
        _ type: Payload.Type,
        handler: @escaping @Sendable (Payload, JobContext) async throws -> Void
    ) {
        precondition(registrations[Payload.kind] == nil, "job kind '\(Payload.kind)' is registered twice")
        registrations[Payload.kind] = { payload in
            let decoded = try Payload(payload: payload)
            return Decoded(lane: decoded.lane) { context in try await handler(decoded, context) }
        }
        hints[Payload.kind] = Payload.payloadHint
    }

    /// The claimed job's work: its handler bound to its payload, or why it cannot run.
    func work(for job: Job) -> JobWork.Action {
        guard let registration = registrations[job.kind] else { return .unknown }
        guard !job.payload.isEmpty else {
            // What the queue hands over for a payload that was not sealed, or did not open (see `SQLJobQueue`).
            return .unreadable(reason: "the \(job.kind) job's payload is not sealed or does not open here")
        }
        do {
            let decoded = try registration(job.payload)
            return .run(lane: decoded.lane, decoded.run)
        } catch {
            return .unreadable(reason: "unreadable \(job.kind) job: \(error)")
        }
    }

    /// Why a job of `kind` with `payload` could not run here, or nil when it could (`dropmate enqueue` asks before queuing).
    public func refusal(kind: String, payload: String) -> String? {
        guard let registration = registrations[kind] else {
            return "unknown job kind '\(kind)'; known kinds: \(kinds.sorted().joined(separator: ", "))"
        }
        do {
            _ = try registration(payload)
            return nil
        } catch {
            return "the \(kind) payload does not decode (\(error))"
                + (hints[kind].map { "; it looks like \($0)" } ?? "")
        }
    }
}
