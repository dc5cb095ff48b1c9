import DropMateCore
import DropMateDataProtection
import DropMateStorage
import Foundation

/// `/auth`: log in with a password, refresh, change one's own password, and who am I.
extension StaffAPI {
    struct Login: Decodable { var username: String; var password: String }
    struct Refresh: Decodable { var refreshToken: String }
    struct PasswordChange: Decodable { var currentPassword: String; var newPassword: String }
    struct Tokens: Encodable {
        var token: String
        var tokenType = "Bearer"
        var expiresIn: Int64
        var refreshToken: String
        var role: String
    }

    static let tooManyAttempts = APIError(
        status: .tooManyRequests, code: "too_many_attempts", message: "too many failed logins; try again in 15 minutes")
    /// Seconds a refresh token lives.
    static let refreshLifetime: Int64 = 7 * 86_400

    func addAuthRoutes(_ api: APIRouter) {
        api.onPublic(
            .post, "/auth/login", maxBody: 4096,
            doc: APIDoc(
                "Log in with a username and password.",
                body: .json("Login"),
                answer: .ok("Tokens.", "Tokens"),
                errors: [401, 429, .busy])
        ) { call in
            let login = try APIJSON.decode(Login.self, from: call.body)
            let now = clock()
            let username = login.username.trimmingCharacters(in: .whitespaces)
            let address = call.request.clientAddress(trusting: signIn.proxies)
            guard await signIn.attempts.allows(address: address, username: username, now: now) else {
                throw Self.tooManyAttempts
            }
            let found = try await staff.account(username: username)
            // Unknown names and deactivated accounts cost a full hash too: the answer's timing tells nothing.
            let matches = try await checkPassword(login.password, against: found?.passwordHash)
            guard let found, found.account.active, matches else {
                await signIn.attempts.failed(address: address, username: username, now: now)
                logger.warning(
                    "staff login failed",
                    metadata: ["dropmate.staff": "\(username.prefix(64))", "dropmate.client": "\(address)"])
                throw APIError(
                    status: .unauthorized, code: "invalid_credentials", message: "wrong username or password")
            }
            await signIn.attempts.succeeded(address: address, username: username, now: now)
            if signIn.passwords.hasher.needsRehash(found.passwordHash),
                case .success(let rehashed)? = try? await signIn.passwords.hash(login.password)
            {
                try await staff.setPasswordHash(rehashed, staffID: found.account.id, now: now)
            }
            guard let session = try await staff.session(id: found.account.id) else { throw APIError.unauthorized }
            return try .json(try await issueTokens(for: session.account, version: session.tokenVersion, now: now))
        }
        api.onPublic(
            .post, "/auth/refresh", maxBody: 4096,
            doc: APIDoc(
                "Trade a refresh token (once) for new tokens; a spent token presented again revokes every token of its login.",
                body: .json("Refresh"),
                answer: .ok("Tokens.", "Tokens"),
                errors: [401])
        ) { call in
            let refresh = try APIJSON.decode(Refresh.self, from: call.body)
            let now = clock()
            let successor = SecretToken.generate(prefix: "dmr_")
            // One use each, decided by one conditional UPDATE: of parallel refreshes with one token, one wins.
            switch try await staff.spendRefreshToken(
                hash: SecretToken.hash(refresh.refreshToken), successorHash: SecretToken.hash(successor),
                expiresAt: now + Self.refreshLifetime, now: now)
            {
            case .invalid:
                throw APIError.unauthorized
            case .reused(let staffID):
                // A spent token came back: it was stolen or replayed. Every token descending from that login is dead now.
                logger.warning(
                    "spent refresh token presented again; its family is revoked",
                    metadata: ["dropmate.staff_id": "\(staffID)"])
                try await staff.append(
                    AuditEntry(
                        actorID: nil, actor: "auth", role: "system", action: "auth.refresh_reuse",
                        target: "staff:\(staffID)",
                        after: "token family revoked", at: now))
                throw APIError.unauthorized
            case .spent(let staffID, let version):
                guard let account = try await staff.account(id: staffID), account.active else {
                    throw APIError.unauthorized
                }
                return try .json(
                    Tokens(
                        token: jwt.token(for: account, version: version, now: now), expiresIn: jwt.lifetime,
                        refreshToken: successor,
                        role: account.role.rawValue))
            }
        }
        api.on(
            .get, "/auth/me", roles: Self.everyone,
            doc: APIDoc(
                "The caller's account.",
                answer: .ok("The account.", "Staff"))
        ) { call in try .json(StaffView(call.identity.account)) }
        api.on(
            .put, "/auth/password", roles: Self.everyone, maxBody: 4096,
            doc: APIDoc(
                "Change one's own password (the current one is needed); every other session ends, the caller gets new tokens.",
                body: .json("PasswordChange"),
                answer: .ok("New tokens.", "Tokens"),
                errors: [403, 429, .busy])
        ) { call in
            let identity = call.identity
            guard identity.account.id > 0 else {
                throw APIError(
                    status: .forbidden, code: "not_a_staff_account", message: "a courier app's token has no password")
            }
            let change = try APIJSON.decode(PasswordChange.self, from: call.body)
            let now = clock()
            // Guessing the current password here is guessing at the login: the same limits.
            let address = call.request.clientAddress(trusting: signIn.proxies)
            guard await signIn.attempts.allows(address: address, username: identity.account.username, now: now) else {
                throw Self.tooManyAttempts
            }
            let stored = try await staff.account(username: identity.account.username)
            guard try await checkPassword(change.currentPassword, against: stored?.passwordHash),
                stored?.account.id == identity.account.id
            else {
                await signIn.attempts.failed(address: address, username: identity.account.username, now: now)
                throw APIError(status: .forbidden, code: "wrong_password", message: "the current password is wrong")
            }
            let hash = try await newPasswordHash(change.newPassword)
            let version = try await staff.changePassword(
                staffID: identity.account.id, hash: hash, now: now,
                audit: identity.audit(
                    "staff.password_change", target: "staff:\(identity.account.id)",
                    after: "password changed; other sessions ended", at: now))
            // Every other session ends; this caller gets a fresh one.
            return try .json(try await issueTokens(for: identity.account, version: version, now: now))
        }
    }

    /// Checks a password on the hashing threads; 503 at once when they are saturated.
    func checkPassword(_ password: String, against stored: String?) async throws -> Bool {
        do { return try await signIn.passwords.verify(password, against: stored) } catch is PasswordWorkers.Busy {
            throw Self.busy
        }
    }

    /// A strong enough password's hash, made on the hashing threads.
    func newPasswordHash(_ password: String) async throws -> String {
        try Self.checkPasswordStrength(password)
        let result: Result<String, PasswordHashError>
        do { result = try await signIn.passwords.hash(password) } catch is PasswordWorkers.Busy { throw Self.busy }
        switch result {
        case .success(let hash): return hash
        case .failure(let error): throw APIError.badRequest("\(error)", code: "weak_password")
        }
    }

    static var busy: APIError {
        var error = APIError(
            status: .serviceUnavailable, code: "busy", message: "too many sign-ins at once; try again in a few seconds")
        error.retryAfter = 2
        return error
    }

    /// A new session: an access token at the account's token version and a refresh token starting a new family.
    func issueTokens(for account: StaffAccount, version: Int64, now: Int64) async throws -> Tokens {
        let refresh = SecretToken.generate(prefix: "dmr_")
        let hash = SecretToken.hash(refresh)
        try await staff.storeToken(
            staffID: account.id, kind: "refresh", tokenHash: hash, name: nil, expiresAt: now + Self.refreshLifetime,
            family: hash, now: now)
        return Tokens(
            token: jwt.token(for: account, version: version, now: now), expiresIn: jwt.lifetime, refreshToken: refresh,
            role: account.role.rawValue)
    }
}

/// A staff account as the API shows it.
struct StaffView: Encodable {
    var id: Int64
    var username: String
    var role: String
    var courierId: Int64?
    var wechatBound: Bool
    var notifyReports: Bool
    var notifyOrders: Bool
    var active: Bool

    init(_ account: StaffAccount) {
        id = account.id
        username = account.username
        role = account.role.rawValue
        courierId = account.courierID
        wechatBound = account.wechatOpenID != nil
        notifyReports = account.notifyReports
        notifyOrders = account.notifyOrders
        active = account.active
    }
}
