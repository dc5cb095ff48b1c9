import DropMateFakes
import DropMateStorage
import Foundation
import Logging
import SQLKit
import Synchronization
import Testing

/// SIGTERM to the real binary while a job is in hand: the job finishes within the grace, or is handed back at its
/// end (never left `running` and locked for the lease), the process exits 0, and a handed-back job runs again at once.
@Suite(.enabled(if: DropMateBinary.path != nil, "build the dropmate product first (swift build)"), .serialized)
struct WorkerShutdownTests {
    static let appSecret = "5c1e9a07d3b24f68a1e0c7d92b4f6a3e"
    static let payload = #"{"openID":"o_shutdown","message":{"text":{"_0":"您的订单已送达 Delivered"}}}"#

    /// One deployment under test: how to run its worker and how to read its jobs.
    struct Backend: Sendable {
        var name: String
        var worker: [String]
        var environment: [String: String]
        /// The state a handed-back job is in (`ready`: the jobs table is the queue; `queued`: back on the stream).
        var handedBackState: String
        var jobs: @Sendable () async throws -> [JobRow]
    }

    struct JobRow: Sendable, Equatable {
        var state: String
        var attempts: Int
        var lockedUntil: Int64?
    }

    @Test func theEmbeddedDefaultFinishesTheJobInHand() async throws {
        try await Self.finishesTheJobInHand(Self.embedded())
    }

    @Test func theEmbeddedDefaultHandsBackAJobThatCannotFinishAndItRunsAgainAtOnce() async throws {
        try await Self.handsBackWhatCannotFinish(Self.embedded())
    }

    @Test(
        .enabled(
            if: PostgresTestDatabase.serverURL != nil && ProcessInfo.processInfo.environment["REDIS_URL"] != nil,
            "needs PostgreSQL and Redis"))
    func aProductionWorkerFinishesTheJobInHand() async throws {
        try await Self.finishesTheJobInHand(try await Self.production())
    }

    @Test(
        .enabled(
            if: PostgresTestDatabase.serverURL != nil && ProcessInfo.processInfo.environment["REDIS_URL"] != nil,
            "needs PostgreSQL and Redis"))
    func aProductionWorkerHandsBackAJobThatCannotFinishAndItRunsAgainAtOnce() async throws {
        try await Self.handsBackWhatCannotFinish(try await Self.production())
    }

    // MARK: - Scenarios

    static func finishesTheJobInHand(_ backend: Backend) async throws {
        let fake = FakeWeChatAPI(appSecret: appSecret)
        fake.delaySends(by: .seconds(2))
        try await fake.serve { base in
            let environment = backend.environment.merging(["WECHAT_APP_ID": fake.appID, "WECHAT_API_BASE_URL": base]) {
                _, new in new
            }
            try await enqueue(environment)
            let worker = try Launched(backend.worker, environment: environment)
            try await until("the job is in hand (\(backend.name))") { fake.received >= 1 }
            let status = await worker.terminate()
            #expect(status == 0, "\(backend.name): exit status; \(worker.output)")
            #expect(
                try await backend.jobs() == [JobRow(state: "done", attempts: 1, lockedUntil: nil)],
                "\(backend.name): the job in hand finished")
            #expect(fake.sentCount == 1)
            #expect(
                !worker.output.contains("worker loop failed") && !worker.output.contains("CancellationError"),
                "\(backend.name): \(worker.output)")
        }
    }

    static func handsBackWhatCannotFinish(_ backend: Backend) async throws {
        let fake = FakeWeChatAPI(appSecret: appSecret)
        fake.delaySends(by: .seconds(4))  // under WeChat's 5 s timeout: only the shutdown grace stops it
        try await fake.serve { base in
            var environment = backend.environment.merging(["WECHAT_APP_ID": fake.appID, "WECHAT_API_BASE_URL": base]) {
                _, new in new
            }
            environment["DROPMATE_SHUTDOWN_GRACE_SECONDS"] = "1"
            try await enqueue(environment)
            let worker = try Launched(backend.worker, environment: environment)
            try await until("the job is in hand (\(backend.name))") { fake.received >= 1 }
            let stopping = ContinuousClock.now
            let status = await worker.terminate()
            #expect(status == 0, "\(backend.name): exit status; \(worker.output)")
            #expect(
                ContinuousClock.now - stopping < .seconds(4),
                "\(backend.name): stopped at the end of the grace, not of the job")
            let rows = try await backend.jobs()
            #expect(
                rows.count == 1 && rows[0].state == backend.handedBackState && rows[0].attempts == 0,
                "\(backend.name): handed back, not left running: \(rows)")
            if backend.handedBackState == "ready" { #expect(rows.first?.lockedUntil == nil, "the lease is released") }
            #expect(worker.output.contains("handed jobs back on shutdown"), "\(backend.name): \(worker.output)")
            // Another worker runs it now, not after the 120 s lease.
            fake.delaySends(by: .zero)
            let next = try Launched(backend.worker, environment: environment)
            try await until("the handed-back job runs again (\(backend.name))", within: .seconds(20)) {
                try await backend.jobs().first?.state == "done"
            }
            #expect(await next.terminate() == 0)
        }
    }

    // MARK: - Deployments

    static func embedded() -> Backend {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dropmate-shutdown-\(UUID().uuidString)"
        ).path
        return Backend(
            name: "SQLite", worker: ["serve"],
            environment: [
                "DROPMATE_DATA_DIR": directory, "HOME": directory, "WECHAT_APP_SECRET": appSecret,
            ], handedBackState: "ready",
            jobs: {
                try await read(
                    try await SQLiteBackend.open(
                        path: (directory as NSString).appendingPathComponent("dropmate.sqlite"),
                        logger: Logger(label: "test")))
            })
    }

    static func production() async throws -> Backend {
        let url = try await PostgresTestDatabase.create()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dropmate-shutdown-\(UUID().uuidString)"
        ).path
        return Backend(
            name: "PostgreSQL + Redis", worker: ["worker"],
            environment: [
                "DROPMATE_DATA_DIR": directory, "HOME": directory, "WECHAT_APP_SECRET": appSecret, "METRICS_PORT": "0",
                "DATABASE_URL": url, "REDIS_URL": ProcessInfo.processInfo.environment["REDIS_URL"]!,
                "REDIS_KEY_PREFIX": "dm-shutdown-\(UUID().uuidString.prefix(8))",
                "DROPMATE_PII_KEYS": TestAccount.piiKeys, "JWT_SECRET": TestAccount.jwtSecret,
                "WECHAT_TOKEN": TestAccount.token,
            ], handedBackState: "queued",
            jobs: {
                try await read(try await PostgresBackend.connect(url: url, logger: Logger(label: "test")))
            })
    }

    /// The push jobs' rows, then closes `backend`.
    static func read(_ backend: any SQLBackend) async throws -> [JobRow] {
        do {
            let found = try await rows(backend)
            await backend.shutdown()
            return found
        } catch {
            await backend.shutdown()
            throw error
        }
    }

    static func rows(_ backend: any SQLBackend) async throws -> [JobRow] {
        try await backend.reader.raw("SELECT state, attempts, locked_until FROM jobs WHERE kind = 'push' ORDER BY id")
            .all().map {
                JobRow(
                    state: try $0.decode(column: "state", as: String.self),
                    attempts: try $0.decode(column: "attempts", as: Int.self),
                    lockedUntil: try $0.decode(column: "locked_until", as: Int64?.self))
            }
    }

    // MARK: - The binary

    static func enqueue(_ environment: [String: String]) async throws {
        let cli = try Launched(
            ["enqueue", "push", "--payload", payload, "--key", "shutdown-test"], environment: environment)
        #expect(await cli.exit() == 0, "enqueue: \(cli.output)")
    }

    static func until(
        _ what: String, within limit: Duration = .seconds(30), _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting until \(what)")
        throw CancellationError()
    }

    /// The binary, started with `environment` (on top of loopback, a free port and JSON logs), its output kept.
    final class Launched: @unchecked Sendable {
        let process: Process
        private let collected = Collected()

        final class Collected: Sendable {
            let data = Mutex(Data())
        }

        init(_ arguments: [String], environment: [String: String]) throws {
            process = Process()
            process.executableURL = URL(fileURLWithPath: DropMateBinary.path!)
            process.arguments = arguments
            process.environment = ["PATH": "/usr/bin:/bin", "PORT": "0", "HOST": "127.0.0.1", "LOG_FORMAT": "json"]
                .merging(environment) { _, new in new }
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            pipe.fileHandleForReading.readabilityHandler = { [collected] handle in
                let data = handle.availableData
                if data.isEmpty { handle.readabilityHandler = nil } else { collected.data.withLock { $0.append(data) } }
            }
            try process.run()
        }

        var output: String { collected.data.withLock { String(decoding: $0, as: UTF8.self) } }

        /// SIGTERM, then the exit status (SIGKILL after 30 s).
        func terminate() async -> Int32 {
            if process.isRunning { process.terminate() }
            return await exit()
        }

        /// Polls for the exit without holding a thread of the shared pool; the exit status.
        func exit(within limit: Duration = .seconds(30)) async -> Int32 {
            let deadline = ContinuousClock.now + limit
            while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
            }
            return process.terminationStatus
        }
    }
}
