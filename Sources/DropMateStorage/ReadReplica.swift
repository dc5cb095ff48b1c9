import Foundation
import Logging
import PostgresNIO
import Synchronization

/// A PostgreSQL read replica (`DATABASE_READ_URL`) and whether reads that may lag a little may go there now.
///
/// A monitor checks it every `checkEvery`. Lag is measured by WAL position, not by
/// `now() - pg_last_xact_replay_timestamp()`, which grows without bound while an idle primary writes nothing: each
/// check notes where the primary's WAL is and when that was seen, then asks the replica how much it has replayed.
/// The lag is how long ago the oldest noted position the replica has not replayed yet was seen (zero once it has
/// replayed everything the primary had written at the last check), so it is known to within one check interval.
/// When the replica does not answer, is not in recovery (promoted, or a primary named by mistake), has not yet
/// replayed a position noted here, or lags past `maxLag`, reads go to the primary until a check finds it answering
/// and caught up again.
public final class ReadReplica: Sendable {
    /// The `application_name` of DropMate's connections to the replica (pg_stat_activity shows it).
    public static let applicationName = "dropmate-read"

    /// Where reads that may lag go, and why.
    public struct Status: Sendable, Equatable {
        public enum State: String, Sendable {
            /// Not checked yet: reads go to the primary.
            case starting
            /// Answering and within the lag limit: reads go to the replica.
            case serving
            /// Not answering (stopped, unreachable, or a read on it just failed).
            case down
            /// Behind the primary by more than the limit.
            case lagging
            /// Answering but not in recovery: not a replica of the primary (promoted, or misconfigured).
            case notAReplica = "not_a_replica"
        }

        public var state: State
        /// Seconds behind the primary at the last check that could tell (nil when unknown).
        public var lagSeconds: Double?

        /// Whether reads that may lag go to the replica now.
        public var servesReads: Bool { state == .serving }
    }

    let client: PostgresClient
    /// The most a read may lag behind the primary (`DROPMATE_READ_MAX_LAG_SECONDS`).
    public let maxLag: Duration
    let checkEvery: Duration
    /// How long a check, or a read waiting for a replica connection, waits before counting the replica as down.
    let answerWithin: Duration
    private let logger: Logger
    private let current = Mutex(Status(state: .starting, lagSeconds: nil))
    private let progress = Mutex(Progress())

    /// What the checks have seen of the replica's progress.
    private struct Progress {
        /// Primary WAL positions the replica had not replayed at the last check, oldest first, with when each was seen.
        var unreplayed: [(seen: ContinuousClock.Instant, position: Int64)] = []
        /// Whether it has replayed any position noted here (before that, its lag is unknown).
        var replayedAny = false
    }

    init(client: PostgresClient, maxLag: Duration, checkEvery: Duration, answerWithin: Duration, logger: Logger) {
        self.client = client
        self.maxLag = maxLag
        self.checkEvery = checkEvery
        self.answerWithin = answerWithin
        self.logger = logger
    }

    /// The status the last check (or a failed read) left.
    public var status: Status { current.withLock { $0 } }

    /// Runs the replica's pool and checks it every `checkEvery` until cancelled.
    func run(primary: PostgresClient) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.client.run() }
            group.addTask {
                while !Task.isCancelled {
                    await self.check(primary: primary)
                    try? await Task.sleep(for: self.checkEvery)
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// One check: where the primary's WAL is now, then how much of it the replica has replayed. The primary's
    /// position is noted even when the replica does not answer, so a replica that comes back counts as behind
    /// since it went away until it has replayed what was written meanwhile.
    func check(primary: PostgresClient) async {
        let position: Int64
        do {
            position = try await Self.withDeadline(answerWithin) {
                try await primary.query(
                    "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint", logger: self.logger
                )
                .collect().first!.decode(Int64.self)
            }
        } catch {
            return  // the primary itself does not answer: nothing to compare with, and every read fails anyway
        }
        let seen = ContinuousClock.now
        progress.withLock { progress in
            progress.unreplayed.append((seen, position))
            // A replica far behind for long: keep the oldest (it sets the lag) and the latest half.
            if progress.unreplayed.count > 1024 { progress.unreplayed.removeSubrange(1..<513) }
        }
        let answer: (recovering: Bool, replayed: Int64?)
        do {
            answer = try await Self.withDeadline(answerWithin) {
                try await self.client.query(
                    "SELECT pg_is_in_recovery(), pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint",
                    logger: self.logger
                ).collect().first!.decode((Bool, Int64?).self)
            }
        } catch {
            update(Status(state: .down, lagSeconds: nil), reason: "\(error)")
            return
        }
        guard answer.recovering, let replayed = answer.replayed else {
            progress.withLock { $0 = Progress() }
            update(Status(state: .notAReplica, lagSeconds: nil), reason: "pg_is_in_recovery() is false")
            return
        }
        let lag: Duration? = progress.withLock { progress in
            let before = progress.unreplayed.count
            progress.unreplayed.removeAll { $0.position <= replayed }
            if progress.unreplayed.count < before { progress.replayedAny = true }
            // Until it has replayed a position noted here, how far behind it is cannot be told: not yet.
            guard progress.replayedAny else { return nil }
            return progress.unreplayed.first.map { seen - $0.seen } ?? .zero
        }
        guard let lag else {
            update(
                Status(state: .lagging, lagSeconds: nil),
                reason: "it has not replayed what the primary had written when first checked")
            return
        }
        let seconds = Double(lag.components.seconds) + Double(lag.components.attoseconds) / 1e18
        update(
            Status(state: lag > maxLag ? .lagging : .serving, lagSeconds: seconds),
            reason: "\(seconds) s behind the primary")
    }

    /// A read on the replica failed: reads go to the primary until the next check finds it answering.
    func markDown(_ error: any Error) {
        update(
            Status(state: .down, lagSeconds: status.lagSeconds),
            reason: "a read failed: \(String(describing: error).prefix(200))")
    }

    private func update(_ new: Status, reason: String) {
        let old = current.withLock { status in
            defer { status = new }
            return status
        }
        guard old.state != new.state else { return }
        if new.servesReads {
            logger.info(
                "reads that may lag go to the read replica again",
                metadata: ["dropmate.replica_state": "\(new.state.rawValue)"])
        } else {
            logger.warning(
                "reads that may lag fall back to the primary",
                metadata: [
                    "dropmate.replica_state": "\(new.state.rawValue)", "dropmate.reason": "\(reason)",
                ])
        }
    }

    /// Runs `body` on the replica, failing with `Unavailable` when no connection is to be had within `answerWithin`
    /// (a stopped replica makes the pool retry connecting, and a lease would wait for as long). The query itself
    /// may take as long as it takes. Rows are collected before they are returned, so a caller that falls back to the
    /// primary after a failure never sees a row twice.
    func read<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let lease = LeaseFlag()
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await self.client.withConnection { connection in
                    lease.leased.store(true, ordering: .relaxed)
                    return try await body(connection)
                }
            }
            group.addTask {
                try await Task.sleep(for: self.answerWithin)
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let rows = result { return rows }
                if !lease.leased.load(ordering: .relaxed) { throw Unavailable() }
            }
            throw Unavailable()
        }
    }

    private final class LeaseFlag: Sendable {
        let leased = Atomic<Bool>(false)
    }

    /// No replica connection within the deadline.
    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "no read replica connection to be had in time" }
    }

    /// `body`'s result, or `Unavailable` once `limit` has passed (and `body` is cancelled).
    static func withDeadline<T: Sendable>(
        _ limit: Duration, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw Unavailable() }
            return value
        }
    }
}
