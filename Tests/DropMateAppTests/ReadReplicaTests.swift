import DropMateCore
import DropMateStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import SQLKit
import Testing

@testable import DropMateApp
@testable import DropMateEngine
@testable import DropMateTelemetry

#if canImport(Glibc)
import Glibc
#endif

/// `DATABASE_READ_URL` against a real streaming replica on loopback (scripts/with-replica: `pg_basebackup -R` of the
/// throwaway primary). Reads that may lag go there while it keeps up; a turn, an order just written, staff sign-in
/// read the primary; a stopped or lagging replica sends those reads to the primary, `/readyz` stays green and the
/// fallback gauge says so. Staleness is shown by pausing the replica's replay: a list that still misses an order
/// the primary has can only have come from the replica.
@Suite(
    .serialized,
    .enabled(
        if: TestReplica.serverURL != nil && PostgresTestDatabase.serverURL != nil,
        "DROPMATE_TEST_REPLICA_URL names no read replica (scripts/with-replica starts one)"))
struct ReadReplicaTests {
    static let replicaServerURL = TestReplica.serverURL
    static let replicaControl = TestReplica.control

    /// The replica's URL of the database `primaryURL` names.
    static func replicaURL(of primaryURL: String) -> String {
        var replica = URLComponents(string: replicaServerURL!)!
        replica.path = URLComponents(string: primaryURL)!.path
        return replica.string!
    }

    /// An app on a fresh database with order #1001 dispatched to a courier, reading what may lag from the replica.
    static func app(
        maxLag: String, readURL: ((String) -> String)? = nil
    ) async throws -> (app: TestApp, courier: Courier, replicaURL: String) {
        let primary = try await PostgresTestDatabase.create()
        let read = (readURL ?? replicaURL(of:))(primary)
        let (app, courier) = try await StaffAPITests.app(extra: [
            "DATABASE_URL": primary, "DATABASE_READ_URL": read, "DROPMATE_READ_MAX_LAG_SECONDS": maxLag,
        ])
        return (app, courier, read)
    }

    static func replica(_ app: TestApp) throws -> ReadReplica {
        try #require((app.dependencies.backend as? PostgresBackend)?.readReplica)
    }

    /// Polls `condition` every 100 ms until it holds; fails after `seconds`.
    static func waitFor(_ what: String, within seconds: Double = 20, _ condition: () async throws -> Bool) async throws
    {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("timed out waiting until \(what)")
        throw TimedOut()
    }

    struct TimedOut: Error {}

    /// Orders the lists see (through the read model, as the staff API and the console read them).
    static func listed(_ app: TestApp) async throws -> Int {
        try await app.dependencies.reads.orders(matching: .init(), limit: 100, offset: 0).total
    }

    /// A whole conversation (order, address, phone, confirm) by `customer`; returns the order's number.
    static func placeOrder(_ app: TestApp, customer: String) async throws -> Int64 {
        let engine = app.dependencies.engine
        for (index, input) in [
            ConversationInput.text("1 份牛肉面"),
            .location(Coordinate(latitude: 31.2243, longitude: 121.4805), label: "人民广场"),
            .text("13800138000"), .text("确认"),
        ].enumerated() {
            _ = try await engine.handle(
                IncomingChat(
                    customer: customer, createTime: app.clock.now, dedupeKey: "\(customer):\(index)", input: input))
        }
        return try #require(try await app.dependencies.store.recentOrders(customer: customer, limit: 1).first?.id)
    }

    /// Pauses the replica's replay of the primary's WAL (it keeps answering, with what it had).
    static func pauseReplay(_ replicaURL: String) async throws {
        try await onReplica(replicaURL, "SELECT pg_wal_replay_pause()")
        try await waitFor("replay is paused") {
            let admin = try await PostgresBackend.connect(url: replicaURL, logger: Logger(label: "test"))
            let state = try? await admin.reader.raw("SELECT pg_get_wal_replay_pause_state() AS s").first()?.decode(
                column: "s", as: String.self)
            await admin.shutdown()
            return state == "paused"
        }
    }

    static func resumeReplay(_ replicaURL: String) async throws {
        try await onReplica(replicaURL, "SELECT pg_wal_replay_resume()")
    }

    static func onReplica(_ replicaURL: String, _ sql: String) async throws {
        let admin = try await PostgresBackend.connect(url: replicaURL, logger: Logger(label: "test"))
        do { try await admin.reader.raw(SQLQueryString(sql)).run() } catch {
            await admin.shutdown()
            throw error
        }
        await admin.shutdown()
    }

    /// Runs `scripts/with-replica`'s control script: `stop` or `start` the replica. Spawned and waited for directly:
    /// Foundation's `Process` left the script a zombie and never returned once `start` had left PostgreSQL running.
    static func control(_ command: String) throws {
        let arguments = ["/bin/bash", try #require(replicaControl), command]
        var pointers = arguments.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        var pid: pid_t = 0
        #expect(posix_spawn(&pid, "/bin/bash", nil, nil, &pointers, environ) == 0, "replica \(command) started")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        #expect(status == 0, "replica \(command) exit status \(status)")
    }

    /// `dropmate_read_replica_fallback` as /metrics shows it for the replica's status now.
    static func fallbackGauge(_ replica: ReadReplica) -> Double? {
        let registry = PrometheusCollectorRegistry()
        AppMetrics(registry: registry).readReplica(replica.status)
        return registry.emitToString().split(separator: "\n").first {
            $0.hasPrefix(AppMetrics.Name.readReplicaFallback + " ")
        }
        .flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
    }

    @Test func listsReadTheReplicaWhileTurnsOrdersAndSignInReadThePrimary() async throws {
        let (app, courier, replicaURL) = try await Self.app(maxLag: "60")
        let replica = try Self.replica(app)
        try await Self.waitFor("the replica serves reads") { replica.status.servesReads }
        try await Self.waitFor("the replica has order #1001") { try await Self.listed(app) == 1 }
        try await Self.pauseReplay(replicaURL)
        do {
            try await app.live { client in
                // A whole conversation while the replica replays nothing: each turn reads its state from the primary.
                let id = try await Self.placeOrder(app, customer: "o_b")
                #expect(try await app.dependencies.store.order(id: id)?.status == .confirmed)
                #expect(
                    try await Self.listed(app) == 1, "the list comes from the paused replica, which has not seen #\(id)"
                )
                #expect(replica.status.servesReads, "a minute's lag is allowed here")
                // Staff accounts made now exist on the primary only: sign-in and token checks read there.
                let session = try await StaffSession.start(app, client: client, courierID: courier.id)
                let list = try await session.call(.get, "/orders", as: .dispatcher)
                #expect(list.status == 200)
                #expect(list.json["total"] as? Int == 1, "GET /orders lists from the replica: \(list.text.prefix(200))")
                let detail = try await session.call(.get, "/orders/\(id)", as: .dispatcher)
                #expect(detail.status == 200, "one order's page reads the primary: \(detail.text.prefix(200))")
                let board = try await client.execute(uri: "/board", method: .get)
                #expect(board.status == .ok)

                try await Self.resumeReplay(replicaURL)
                try await Self.waitFor("the replica catches up") { try await Self.listed(app) == 2 }
                #expect(try await session.call(.get, "/orders", as: .dispatcher).json["total"] as? Int == 2)
            }
        } catch {
            try? await Self.resumeReplay(replicaURL)
            throw error
        }
    }

    @Test func readsFallBackToThePrimaryWhileReplayLagsPastTheLimitAndReturnAfter() async throws {
        let (app, _, replicaURL) = try await Self.app(maxLag: "1")
        let replica = try Self.replica(app)
        try await app.live { client in
            try await Self.waitFor("the replica serves reads") { replica.status.servesReads }
            // An idle primary writes nothing: the replica has replayed all there is, however long ago the last write was.
            for _ in 0..<6 {
                try await Task.sleep(for: .milliseconds(500))
                #expect(replica.status.servesReads, "idle is not behind: \(replica.status)")
            }
            #expect(Self.fallbackGauge(replica) == 0)
            try await Self.pauseReplay(replicaURL)
            do {
                _ = try await Self.placeOrder(app, customer: "o_b")
                try await Self.waitFor("the monitor sees the replica more than a second behind") {
                    replica.status.state == .lagging
                }
                #expect(try await Self.listed(app) == 2, "lists read the primary while the replica lags")
                #expect(Self.fallbackGauge(replica) == 1)
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(ready.status == .ok, "a lagging replica does not make the app unready")
                try await Self.resumeReplay(replicaURL)
            } catch {
                try? await Self.resumeReplay(replicaURL)
                throw error
            }
            try await Self.waitFor("the replica serves reads again once caught up") { replica.status.servesReads }
            #expect(try await Self.listed(app) == 2)
            #expect(Self.fallbackGauge(replica) == 0)
        }
    }

    @Test(.enabled(if: TestReplica.control != nil))
    func readsFallBackToThePrimaryWhenTheReplicaStopsAndReturnWhenItStarts() async throws {
        let (app, _, _) = try await Self.app(maxLag: "10")
        let replica = try Self.replica(app)
        try await app.live { client in
            try await Self.waitFor("the replica serves reads") { replica.status.servesReads }
            try await Self.waitFor("the replica has order #1001") { try await Self.listed(app) == 1 }
            try Self.control("stop")
            do {
                // Straight away, before a check has noticed: the read fails on the replica and the primary answers it.
                #expect(try await Self.listed(app) == 1)
                try await Self.waitFor("the replica counts as down") { replica.status.state == .down }
                _ = try await Self.placeOrder(app, customer: "o_b")
                #expect(try await Self.listed(app) == 2, "lists read the primary while the replica is down")
                #expect(Self.fallbackGauge(replica) == 1)
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(ready.status == .ok, "a stopped replica does not make the app unready")
                #expect(String(buffer: ready.body) == "ready")
                try Self.control("start")
            } catch {
                try? Self.control("start")
                throw error
            }
            try await Self.waitFor("the restarted replica serves reads again", within: 90) {
                replica.status.servesReads
            }
            #expect(try await Self.listed(app) == 2, "it replayed what was written while it was down")
            #expect(Self.fallbackGauge(replica) == 0)
        }
    }

    @Test func aReadURLNamingThePrimaryItselfIsNotUsedForReads() async throws {
        let (app, _, _) = try await Self.app(maxLag: "10", readURL: { $0 })
        let replica = try Self.replica(app)
        try await Self.waitFor("the monitor sees it is not in recovery") { replica.status.state == .notAReplica }
        #expect(try await Self.listed(app) == 1)
        #expect(Self.fallbackGauge(replica) == 1)
        await app.shutdown()
    }
}

/// The streaming replica scripts/with-replica started for the tests.
enum TestReplica {
    static let serverURL = ProcessInfo.processInfo.environment["DROPMATE_TEST_REPLICA_URL"]
    /// `stop` / `start` the replica (a script scripts/with-replica writes).
    static let control = ProcessInfo.processInfo.environment["DROPMATE_TEST_REPLICA_CTL"]
}

/// `DATABASE_READ_URL` and `DROPMATE_READ_MAX_LAG_SECONDS` are checked at start, with every other problem.
@Suite struct ReadReplicaConfigTests {
    static let base = [
        "WECHAT_TOKEN": TestAccount.token, "JWT_SECRET": TestAccount.jwtSecret,
        "DROPMATE_PII_KEYS": TestAccount.piiKeys,
        "DROPMATE_DATA_DIR": FileManager.default.temporaryDirectory.appendingPathComponent(
            "dropmate-config-\(UUID().uuidString)"
        ).path,
    ]

    static func problems(_ extra: [String: String]) -> [String] {
        do {
            _ = try AppConfig.load(environment: base.merging(extra) { $1 })
            return []
        } catch let error as AppConfig.Problems {
            return error.problems.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    @Test func aReadReplicaIsOptionalAndTenSecondsOfLagAreAllowedByDefault() throws {
        let config = try AppConfig.load(
            environment: Self.base.merging(["DATABASE_URL": "postgres://dm:Kx8vQ2pL9mZr4tWy@db:5432/dm"]) { $1 })
        #expect(config.databaseReadURL == nil)
        #expect(config.readMaxLag == .seconds(10))
        let replicated = try AppConfig.load(
            environment: Self.base.merging([
                "DATABASE_URL": "postgres://dm:Kx8vQ2pL9mZr4tWy@db:5432/dm",
                "DATABASE_READ_URL": "postgres://dm_read:Zq7Hn3Vb8Xc2Lk5P@db-replica:5432/dm?sslmode=require",
                "DROPMATE_READ_MAX_LAG_SECONDS": "2.5",
            ]) { $1 })
        #expect(replicated.databaseReadURL == "postgres://dm_read:Zq7Hn3Vb8Xc2Lk5P@db-replica:5432/dm?sslmode=require")
        #expect(replicated.readMaxLag == .milliseconds(2500))
        #expect(!replicated.description.contains("Zq7Hn3Vb8Xc2Lk5P"), "the replica's password is never printed")
        #expect(replicated.description.contains("dm_read:****@db-replica"))
    }

    @Test func aBadReadReplicaConfigurationRefusesToStartNamingTheVariable() {
        #expect(
            Self.problems(["DATABASE_READ_URL": "postgres://r:Zq7Hn3Vb8Xc2Lk5P@replica/dm"]).contains {
                $0.hasPrefix("DATABASE_READ_URL: needs DATABASE_URL")
            })
        let primary = ["DATABASE_URL": "postgres://dm:Kx8vQ2pL9mZr4tWy@db:5432/dm"]
        #expect(
            Self.problems(primary.merging(["DATABASE_READ_URL": "mysql://r@replica/dm"]) { $1 }).contains {
                $0.hasPrefix("DATABASE_READ_URL: must be a postgres:// URL")
            })
        #expect(
            Self.problems(primary.merging(["DATABASE_READ_URL": "postgres://r@replica/dm?sslmode=sometimes"]) { $1 })
                .contains { $0.contains("unknown sslmode") })
        #expect(
            Self.problems(primary.merging(["DATABASE_READ_URL": "postgres://replica/dm"]) { $1 }).contains {
                $0.contains("no user name")
            })
        for lag in ["0", "-1", "soon", "86400"] {
            #expect(
                Self.problems(primary.merging(["DROPMATE_READ_MAX_LAG_SECONDS": lag]) { $1 }).contains {
                    $0.hasPrefix("DROPMATE_READ_MAX_LAG_SECONDS:")
                }, "\(lag)")
        }
    }

    @Test func aPlaceholderPasswordInTheReadURLIsRefusedAsInDatabaseURL() {
        let primary = ["DATABASE_URL": "postgres://dm:Kx8vQ2pL9mZr4tWy@db:5432/dm"]
        for password in ["change-me", "your-password", "xxxxxxxx", "aaaaaaaaaa"] {
            let found = Self.problems(
                primary.merging(["DATABASE_READ_URL": "postgres://reader:\(password)@replica:5432/dm"]) { $1 })
            #expect(
                found.contains { $0.hasPrefix("DATABASE_READ_URL: the password looks like a placeholder") },
                "\(password): \(found)")
            #expect(!found.joined().contains(password), "the password itself is never repeated")
        }
    }
}
