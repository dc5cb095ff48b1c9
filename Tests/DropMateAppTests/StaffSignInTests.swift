import DropMateCore
import DropMateDataProtection
import DropMateRedis
import DropMateStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SQLKit
import Synchronization
import Testing

@testable import DropMateApp

/// Staff sign-in, tokens and idempotency keys under attack: parallel refreshes, guessing from many addresses,
/// keys reused across principals, and taking access away at once.
@Suite struct StaffSignInTests {
    static func login(
        _ session: StaffSession, _ username: String, _ password: String = StaffSession.password,
        from address: String? = nil
    ) async throws -> StaffSession.Answer {
        var headers: HTTPFields = [:]
        if let address { headers[.xForwardedFor] = address }
        return try await session.call(
            .post, "/auth/login", body: #"{"username": "\#(username)", "password": "\#(password)"}"#, headers: headers)
    }

    // MARK: Refresh tokens

    static func parallelRefreshesSpendATokenOnce(_ app: TestApp, courier: Courier) async throws {
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let refresh = try #require(try await Self.login(session, "dispatcher1").json["refresh_token"] as? String)
            let answers = try await withThrowingTaskGroup(of: StaffSession.Answer.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await session.call(.post, "/auth/refresh", body: #"{"refresh_token": "\#(refresh)"}"#)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let won = answers.filter { $0.status == 200 }
            #expect(won.count == 1, "exactly one of eight parallel refreshes wins: \(answers.map(\.status))")
            #expect(answers.allSatisfy { $0.status == 200 || $0.status == 401 })
            // The losers presented a spent token: the family is dead, the winner's successor too.
            let successor = try #require(won.first?.json["refresh_token"] as? String)
            #expect(
                try await session.call(.post, "/auth/refresh", body: #"{"refresh_token": "\#(successor)"}"#).status
                    == 401)
            let audit = try await app.dependencies.staff.audit(limit: 50, beforeID: nil)
            #expect(audit.contains { $0.entry.action == "auth.refresh_reuse" && $0.entry.target == "staff:2" })
        }
    }

    @Test func eightParallelRefreshesOfOneTokenSucceedOnceAndKillTheFamily() async throws {
        let (app, courier) = try await StaffAPITests.app()
        try await Self.parallelRefreshesSpendATokenOnce(app, courier: courier)
    }

    @Test(.enabled(if: PostgresTestDatabase.serverURL != nil, "DATABASE_URL names no PostgreSQL server"))
    func eightParallelRefreshesOfOneTokenSucceedOnceOnPostgreSQL() async throws {
        let (app, courier) = try await StaffAPITests.app(extra: [
            "DATABASE_URL": try await PostgresTestDatabase.create()
        ])
        try await Self.parallelRefreshesSpendATokenOnce(app, courier: courier)
    }

    @Test func aSpentRefreshTokenComingBackRevokesEveryTokenOfItsLogin() async throws {
        let (app, courier) = try await StaffAPITests.app()
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let first = try #require(try await Self.login(session, "dispatcher1").json["refresh_token"] as? String)
            let other = try #require(try await Self.login(session, "dispatcher1").json["refresh_token"] as? String)
            let second = try #require(
                try await session.call(.post, "/auth/refresh", body: #"{"refresh_token": "\#(first)"}"#).json[
                    "refresh_token"] as? String)
            #expect(
                try await session.call(.post, "/auth/refresh", body: #"{"refresh_token": "\#(first)"}"#).status == 401,
                "spent")
            #expect(
                try await session.call(.post, "/auth/refresh", body: #"{"refresh_token": "\#(second)"}"#).status == 401,
                "its family is revoked")
            #expect(
                try await session.call(.post, "/auth/refresh", body: #"{"refresh_token": "\#(other)"}"#).status == 200,
                "another login's family lives on")
        }
    }

    // MARK: Guessing

    @Test func wrongPasswordsFromOneAddressDoNotLockTheOwnerOutElsewhere() async throws {
        let (app, courier) = try await StaffAPITests.app(extra: ["DROPMATE_TRUSTED_PROXIES": "127.0.0.0/8, ::1"])
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            for _ in 0..<10 {
                #expect(
                    try await Self.login(session, "admin1", "wrong", from: "203.0.113.9").errorCode
                        == "invalid_credentials")
            }
            #expect(
                try await Self.login(session, "admin1", from: "203.0.113.9").status == 429,
                "the guesser's address is locked for that name")
            #expect(
                try await Self.login(session, "admin1", from: "198.51.100.7").status == 200,
                "the owner, elsewhere, is not")
            // A client cannot step out of its count by writing its own X-Forwarded-For: only the proxy's last hop counts.
            #expect(try await Self.login(session, "admin1", from: "198.51.100.7, 203.0.113.9").status == 429)
        }
    }

    @Test func oneAddressTryingManyNamesIsStoppedBeforeAnyHash() async throws {
        let (app, courier) = try await StaffAPITests.app(extra: ["DROPMATE_TRUSTED_PROXIES": "127.0.0.0/8, ::1"])
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            for index in 0..<30 {
                #expect(try await Self.login(session, "nobody\(index)", "guess", from: "203.0.113.10").status == 401)
            }
            #expect(try await Self.login(session, "admin1", from: "203.0.113.10").status == 429)
            #expect(try await Self.login(session, "admin1", from: "203.0.113.11").status == 200)
        }
    }

    @Test func withoutTrustedProxiesForwardedForIsIgnored() async throws {
        let (app, courier) = try await StaffAPITests.app()
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            for index in 0..<10 {
                // A new made-up address each time changes nothing: the peer (127.0.0.1) is counted.
                _ = try await Self.login(session, "admin1", "wrong", from: "203.0.113.\(index)")
            }
            #expect(try await Self.login(session, "admin1", from: "198.51.100.7").status == 429)
        }
    }

    @Test(.enabled(if: TestRedis.url != nil, "REDIS_URL names no Redis server"))
    func replicasShareSignInCountsThroughRedis() async throws {
        let prefix = "test-\(UUID().uuidString.prefix(8))"
        let redis = RedisClient(
            configuration: try RedisConfiguration(url: TestRedis.url!), logger: Logger(label: "test"))
        defer { redis.shutdown() }
        let one = LoginGuard(redis: redis, keyPrefix: prefix), other = LoginGuard(redis: redis, keyPrefix: prefix)
        let now = TestAccount.start
        for _ in 0..<10 { await one.failed(address: "203.0.113.1", username: "owner", now: now) }
        #expect(
            await other.allows(address: "203.0.113.1", username: "owner", now: now) == false,
            "another replica sees the count")
        #expect(
            await other.allows(address: "203.0.113.2", username: "owner", now: now), "another address is not locked out"
        )
        #expect(await other.allows(address: "203.0.113.1", username: "someone-else", now: now))
        await other.succeeded(address: "203.0.113.1", username: "owner", now: now)
        #expect(await one.allows(address: "203.0.113.1", username: "owner", now: now))
        for index in 0..<30 { await other.failed(address: "203.0.113.3", username: "name\(index)", now: now) }
        #expect(
            await one.allows(address: "203.0.113.3", username: "owner", now: now) == false,
            "an address trying many names")
        #expect(
            await one.allows(address: "203.0.113.3", username: "owner", now: now + 1800), "until the window has passed")
    }

    @Test func whileRedisIsDownEachProcessStillCounts() async throws {
        let redis = RedisClient(
            configuration: try RedisConfiguration(url: "redis://127.0.0.1:1", connectTimeout: .milliseconds(500)),
            logger: Logger(label: "test"))
        defer { redis.shutdown() }
        let limits = LoginGuard(redis: redis, keyPrefix: "down")
        for _ in 0..<10 { await limits.failed(address: "203.0.113.1", username: "owner", now: TestAccount.start) }
        #expect(await limits.allows(address: "203.0.113.1", username: "owner", now: TestAccount.start) == false)
        #expect(await limits.allows(address: "203.0.113.2", username: "owner", now: TestAccount.start))
    }

    @Test func clientAddressesComeFromThePeerOrTheLastUntrustedHop() {
        let proxies = TrustedProxies.parse("10.0.0.0/8, 192.168.1.1, fd00::/8").proxies
        #expect(TrustedProxies.parse("10.0.0.0/33, nonsense, 1.2.3.4").invalid == ["10.0.0.0/33", "nonsense"])
        #expect(
            proxies.client(peer: "203.0.113.5", forwardedFor: ["1.1.1.1"]) == "203.0.113.5",
            "an untrusted peer's header is ignored")
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: ["1.1.1.1, 203.0.113.5, 192.168.1.1"]) == "203.0.113.5")
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: ["1.1.1.1", "203.0.113.5:4431"]) == "203.0.113.5")
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: []) == "10.1.2.3")
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: ["garbage"]) == "10.1.2.3")
        #expect(
            proxies.client(peer: "::ffff:10.1.2.3", forwardedFor: ["[2001:db8:1:2:3:4:5:6]:80"]) == "2001:db8:1:2::/64",
            "IPv6 clients count by /64")
        #expect(proxies.client(peer: nil, forwardedFor: ["1.1.1.1"]) == "unknown")
    }

    @Test func badSignInSettingsAreRefusedAtStartNamingTheVariable() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dropmate-test-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let base = [
            "DROPMATE_DATA_DIR": directory, "WECHAT_TOKEN": TestAccount.token,
            "JWT_SECRET": "test-secret-test-secret-test-secret-0123",
        ]
        for (variable, value) in [
            ("DROPMATE_TRUSTED_PROXIES", "10.0.0.0/8, bogus"), ("DROPMATE_TRUSTED_PROXIES", "10.0.0.0/33"),
            ("DROPMATE_PASSWORD_THREADS", "0"),
        ] {
            do {
                _ = try AppConfig.load(environment: base.merging([variable: value]) { $1 })
                Issue.record("\(variable)=\(value) was accepted")
            } catch {
                #expect("\(error)".contains(variable), "\(error)")
            }
        }
        let config = try AppConfig.load(
            environment: base.merging([
                "DROPMATE_TRUSTED_PROXIES": "10.0.0.0/8,fd00::/8", "DROPMATE_PASSWORD_THREADS": "2",
            ]) { $1 })
        #expect(config.signIn.trustedProxies.networks.count == 2 && config.signIn.passwordThreads == 2)
    }

    // MARK: Hashing

    @Test func theDecoyCostsWhatARealHashCosts() async throws {
        let app = try await TestApp.make()
        let passwords = app.dependencies.signIn.passwords
        let decoy = passwords.decoyHash
        #expect(decoy.hasPrefix("$scrypt$ln=10,r=8,p=1$"), "the configured cost (10 in tests), not a fixed one")
        #expect(!passwords.hasher.needsRehash(decoy))
        let account = try await app.dependencies.createStaff(
            username: "owner", password: StaffSession.password, role: .admin, courierID: nil)
        let stored = try #require(try await app.dependencies.staff.account(username: account.username)?.passwordHash)
        #expect(
            stored.split(separator: "$")[0...1] == decoy.split(separator: "$")[0...1],
            "same algorithm and parameters as the stored hashes")
        await app.shutdown()
    }

    @Test func hashingHasItsOwnBoundedThreadsAndRefusesAtOnceWhenFull() async throws {
        final class Counters: Sendable {
            let released = Mutex(false)
            let started = Mutex(0)
        }
        let workers = PasswordWorkers(threads: 1, queueLimit: 2)
        let counters = Counters()
        let tasks = (0..<3).map { _ in
            Task {
                try await workers.run {
                    counters.started.withLock { $0 += 1 }
                    while !counters.released.withLock({ $0 }) { usleep(1000) }
                    return 1
                }
            }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while workers.inFlight < 3 || counters.started.withLock({ $0 }) == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        let refusedAt = ContinuousClock.now
        await #expect(throws: PasswordWorkers.Busy.self) { try await workers.run { 0 } }
        #expect(ContinuousClock.now - refusedAt < .milliseconds(100), "a full queue answers at once")
        #expect(counters.started.withLock { $0 } == 1, "one thread: the others wait their turn")
        counters.released.withLock { $0 = true }
        for task in tasks { #expect(try await task.value == 1) }
        #expect(workers.inFlight == 0)
    }

    // MARK: Idempotency keys

    @Test func idempotencyKeysBelongToTheirPrincipalAndAnswersAreSealed() async throws {
        let app = try await TestApp.make()
        let (courierA, tokenA) = try await CourierFlowTests.dispatchedOrder(app)
        let courierB = try await app.dependencies.couriers.create(name: "李师傅", phone: PhoneNumber("13700137000"))
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courierA.id)
            let key: HTTPFields = [.idempotencyKey: "deliver-1001"]
            // B squats A's key first, on an order that is not B's: refused, and nothing is kept under A's name.
            let squat = try await session.call(.post, "/orders/1001/deliver", token: courierB.apiToken, headers: key)
            #expect(squat.status == 403 && squat.errorCode == "not_your_delivery")
            let delivered = try await session.call(.post, "/orders/1001/deliver", token: tokenA, headers: key)
            #expect(
                delivered.status == 200 && delivered.json["status"] as? String == "delivered",
                "A's delivery is recorded: \(delivered.text)")
            // B replays A's key: authorized first, so no stored answer (with the customer's phone) comes back.
            let replay = try await session.call(.post, "/orders/1001/deliver", token: courierB.apiToken, headers: key)
            #expect(
                replay.status == 403 && !replay.text.contains("1001\"") && !replay.text.contains("8000")
                    && replay.headers[.idempotentReplayed] == nil)
            // A's own repeat is replayed.
            let again = try await session.call(.post, "/orders/1001/deliver", token: tokenA, headers: key)
            #expect(again.status == 200 && again.text == delivered.text && again.headers[.idempotentReplayed] == "true")
            // Answers at rest are sealed: neither phone numbers nor freshly issued secrets in plaintext.
            let issued = try await session.call(
                .post, "/staff/2/api-tokens", as: .admin, body: #"{"name": "robot"}"#,
                headers: [.idempotencyKey: "robot-1"])
            let secret = try #require(issued.json["token"] as? String)
            let rows = try await app.dependencies.backend.reader.raw("SELECT principal, body FROM api_idempotency")
                .all()
            let stored = try rows.map {
                (try $0.decode(column: "principal", as: String.self), try $0.decode(column: "body", as: String.self))
            }
            #expect(Set(stored.map(\.0)) == ["courier:\(courierA.id)", "staff:1"], "B's refused calls keep nothing")
            #expect(
                stored.allSatisfy { $0.1.hasPrefix("v2.") && !$0.1.contains("13800138000") && !$0.1.contains(secret) })
            let replayedToken = try await session.call(
                .post, "/staff/2/api-tokens", as: .admin, body: #"{"name": "robot"}"#,
                headers: [.idempotencyKey: "robot-1"])
            #expect(replayedToken.text == issued.text, "the caller's own retry still gets the token it lost")
        }
    }

    @Test func anAPITokenAndItsAccountsSessionsHaveSeparateKeys() async throws {
        let (app, courier) = try await StaffAPITests.app()
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let token = try #require(
                try await session.call(.post, "/staff/2/api-tokens", as: .admin, body: #"{"name": "robot"}"#).json[
                    "token"] as? String)
            let key: HTTPFields = [.idempotencyKey: "new-merchant"]
            let merchant =
                #"{"id": "ID", "name_zh": "茶馆", "name_en": "Tea House", "latitude": 31.2, "longitude": 121.4, "preparation_minutes": 5}"#
            #expect(
                try await session.call(
                    .post, "/merchants", token: token, body: merchant.replacingOccurrences(of: "ID", with: "tea-a"),
                    headers: key
                ).status == 201)
            let own = try await session.call(
                .post, "/merchants", as: .dispatcher, body: merchant.replacingOccurrences(of: "ID", with: "tea-b"),
                headers: key)
            #expect(own.status == 201 && own.headers[.idempotentReplayed] == nil)
        }
    }

    @Test func parallelRequestsWithOneKeyRunOnce() async throws {
        let (app, courier) = try await StaffAPITests.app()
        try await Self.parallelRequestsWithOneKey(app, courier: courier)
    }

    @Test(.enabled(if: PostgresTestDatabase.serverURL != nil, "DATABASE_URL names no PostgreSQL server"))
    func parallelRequestsWithOneKeyRunOnceOnPostgreSQL() async throws {
        let (app, courier) = try await StaffAPITests.app(extra: [
            "DATABASE_URL": try await PostgresTestDatabase.create()
        ])
        try await Self.parallelRequestsWithOneKey(app, courier: courier)
    }

    static func parallelRequestsWithOneKey(_ app: TestApp, courier: Courier) async throws {
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let merchant =
                #"{"id": "tea-house", "name_zh": "茶馆", "name_en": "Tea House", "latitude": 31.2, "longitude": 121.4, "preparation_minutes": 5}"#
            let answers = try await withThrowingTaskGroup(of: StaffSession.Answer.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await session.call(
                            .post, "/merchants", as: .dispatcher, body: merchant, headers: [.idempotencyKey: "tea"])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let created = answers.filter { $0.status == 201 }
            #expect(!created.isEmpty && created.allSatisfy { $0.text == created[0].text })
            #expect(
                answers.allSatisfy { $0.status == 201 || $0.errorCode == "idempotency_key_in_flight" },
                "\(answers.map(\.status))")
            #expect(created.filter { $0.headers[.idempotentReplayed] == nil }.count == 1, "the request ran once")
            let audit = try await app.dependencies.staff.audit(limit: 100, beforeID: nil)
            #expect(audit.filter { $0.entry.action == "merchant.create" }.count == 1)
        }
    }

    // MARK: Taking access away

    @Test func aDeactivatedMemberLosesEveryCredentialAtOnce() async throws {
        let (app, courier) = try await StaffAPITests.app()
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let refresh = try #require(try await Self.login(session, "dispatcher1").json["refresh_token"] as? String)
            let apiToken = try #require(
                try await session.call(.post, "/staff/2/api-tokens", as: .admin, body: #"{"name": "robot"}"#).json[
                    "token"] as? String)
            #expect(try await session.call(.get, "/orders", as: .dispatcher).status == 200)
            let deactivated = try await session.call(.post, "/staff/2/deactivate", as: .admin)
            #expect(deactivated.status == 200 && deactivated.json["active"] as? Bool == false)
            #expect(try await session.call(.get, "/orders", as: .dispatcher).status == 401, "the access token")
            #expect(try await session.call(.get, "/orders", token: apiToken).status == 401, "the API token")
            #expect(
                try await session.call(.post, "/auth/refresh", body: #"{"refresh_token": "\#(refresh)"}"#).status
                    == 401, "the refresh token")
            #expect(try await Self.login(session, "dispatcher1").status == 401, "the password")
            #expect(
                try await session.call(.post, "/staff/1/deactivate", as: .admin).errorCode == "cannot_deactivate_self")
            #expect(try await session.call(.post, "/staff/2/reactivate", as: .admin).json["active"] as? Bool == true)
            #expect(
                try await session.call(.get, "/orders", as: .dispatcher).status == 401, "earlier sessions stay ended")
            #expect(try await session.call(.get, "/orders", token: apiToken).status == 200, "API tokens work again")
            #expect(try await Self.login(session, "dispatcher1").status == 200)
            let actions = try await app.dependencies.staff.audit(limit: 50, beforeID: nil).map(\.entry.action)
            #expect(actions.contains("staff.deactivate") && actions.contains("staff.reactivate"))
        }
    }

    @Test func aRevokedAPITokenIsRefusedAtOnce() async throws {
        let (app, courier) = try await StaffAPITests.app()
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let issued = try await session.call(.post, "/staff/2/api-tokens", as: .admin, body: #"{"name": "robot"}"#)
            let token = try #require(issued.json["token"] as? String)
            let id = try #require(issued.json["id"] as? Int)
            #expect(try await session.call(.get, "/orders", token: token).status == 200)
            let listed = try await session.call(.get, "/staff/2/api-tokens", as: .admin)
            #expect(
                (listed.json["items"] as? [[String: Any]])?.first?["name"] as? String == "robot"
                    && !listed.text.contains(token))
            #expect(try await session.call(.delete, "/staff/2/api-tokens/\(id)", as: .admin).status == 204)
            #expect(try await session.call(.get, "/orders", token: token).status == 401)
            #expect(
                try await session.call(.delete, "/staff/3/api-tokens/\(id)", as: .admin).status == 404,
                "only the owner's token, once")
            #expect(
                try await app.dependencies.staff.audit(limit: 50, beforeID: nil).contains {
                    $0.entry.action == "staff.api_token_revoke"
                })
        }
    }

    @Test func theCommandLineResetsAPasswordAndDeactivatesWithoutTheAPI() async throws {
        let (app, courier) = try await StaffAPITests.app()
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            _ = try await app.dependencies.resetStaffPassword(username: "admin1", password: "the owner forgot it")
            #expect(try await session.call(.get, "/staff", as: .admin).status == 401, "the admin's sessions ended")
            #expect(try await Self.login(session, "admin1", "the owner forgot it").status == 200)
            await #expect(throws: StaffCreationError.self) {
                try await app.dependencies.resetStaffPassword(username: "admin1", password: "short")
            }
            _ = try await app.dependencies.setStaffActive(username: "dispatcher1", active: false)
            #expect(try await session.call(.get, "/orders", as: .dispatcher).status == 401)
            _ = try await app.dependencies.setStaffActive(username: "dispatcher1", active: true)
            #expect(try await Self.login(session, "dispatcher1").status == 200)
            let audit = try await app.dependencies.staff.audit(limit: 50, beforeID: nil).map(\.entry)
            #expect(
                audit.contains { $0.actor == "cli" && $0.action == "staff.password_reset" }
                    && audit.contains { $0.actor == "cli" && $0.action == "staff.deactivate" })
        }
    }

    @Test func changingOnesPasswordEndsTheOtherSessionsAndAnAdminResetEndsThemAll() async throws {
        let (app, courier) = try await StaffAPITests.app()
        try await app.live { client in
            var session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let other = try await Self.login(session, "dispatcher1")
            let otherToken = try #require(other.json["token"] as? String)
            let otherRefresh = try #require(other.json["refresh_token"] as? String)
            let wrong = try await session.call(
                .put, "/auth/password", as: .dispatcher,
                body: #"{"current_password": "not it", "new_password": "a new long passphrase"}"#)
            #expect(wrong.status == 403 && wrong.errorCode == "wrong_password")
            let weak = try await session.call(
                .put, "/auth/password", as: .dispatcher,
                body: #"{"current_password": "\#(StaffSession.password)", "new_password": "short"}"#)
            #expect(weak.status == 400)
            let changed = try await session.call(
                .put, "/auth/password", as: .dispatcher,
                body: #"{"current_password": "\#(StaffSession.password)", "new_password": "a new long passphrase"}"#)
            #expect(changed.status == 200)
            #expect(
                try await session.call(.get, "/auth/me", token: otherToken).status == 401,
                "the other session's access token")
            #expect(
                try await session.call(.post, "/auth/refresh", body: #"{"refresh_token": "\#(otherRefresh)"}"#).status
                    == 401, "its refresh token")
            #expect(
                try await session.call(.get, "/auth/me", as: .dispatcher).status == 401,
                "the old token of this session too")
            session.tokens[.dispatcher] = try #require(changed.json["token"] as? String)
            #expect(
                try await session.call(.get, "/auth/me", as: .dispatcher).status == 200, "the caller's new tokens work")
            #expect(try await Self.login(session, "dispatcher1").status == 401, "the old password is gone")
            #expect(try await Self.login(session, "dispatcher1", "a new long passphrase").status == 200)
            // An admin resets it: every session of the member ends.
            #expect(
                try await session.call(
                    .put, "/staff/2/password", as: .admin, body: #"{"new_password": "reset by the admin 1"}"#
                ).status == 200)
            #expect(try await session.call(.get, "/auth/me", as: .dispatcher).status == 401)
            #expect(try await Self.login(session, "dispatcher1", "reset by the admin 1").status == 200)
            #expect(
                try await session.call(
                    .put, "/staff/1/password", as: .admin, body: #"{"new_password": "reset by the admin 1"}"#
                ).errorCode == "use_auth_password")
            let actions = try await app.dependencies.staff.audit(limit: 50, beforeID: nil).map(\.entry.action)
            #expect(actions.contains("staff.password_change") && actions.contains("staff.password_reset"))
        }
    }
}
