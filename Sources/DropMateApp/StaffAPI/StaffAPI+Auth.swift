import DropMateCore
import DropMateDataProtection
import Foundation

/// `/auth`: log in with a password, refresh, and who am I.
extension StaffAPI {
    struct Login: Decodable { var username: String; var password: String }
    struct Refresh: Decodable { var refreshToken: String }
    struct Tokens: Encodable {
        var token: String
        var tokenType = "Bearer"
        var expiresIn: Int64
        var refreshToken: String
        var role: String
    }

    /// A hash to verify against when the username is unknown, so both cases take as long.
    static let decoyHash = (try? PasswordHasher.standard.hash("decoy password that matches nothing")) ?? ""

    func addAuthRoutes(_ api: APIRouter) {
        api.on(.post, "/auth/login", roles: [], maxBody: 4096) { call in
            let login = try APIJSON.decode(Login.self, from: call.body)
            let now = clock()
            let username = login.username.trimmingCharacters(in: .whitespaces)
            guard !loginGuard.isLocked(username, now: now) else {
                throw APIError(status: .tooManyRequests, code: "too_many_attempts", message: "too many failed logins; try again in 15 minutes")
            }
            let found = try await staff.account(username: username)
            guard let found, found.account.active, passwords.verify(login.password, against: found.passwordHash) else {
                // An unknown name costs a hash too, so the answer's timing does not tell which names exist.
                if found == nil { _ = passwords.verify(login.password, against: Self.decoyHash) }
                loginGuard.failed(username, now: now)
                logger.warning("staff login failed", metadata: ["dropmate.staff": "\(username.prefix(64))"])
                throw APIError(status: .unauthorized, code: "invalid_credentials", message: "wrong username or password")
            }
            loginGuard.succeeded(username)
            if passwords.needsRehash(found.passwordHash), let rehashed = try? passwords.hash(login.password) {
                try await staff.setPasswordHash(rehashed, staffID: found.account.id, now: now)
            }
            return try .json(try await issueTokens(for: found.account, now: now))
        }
        api.on(.post, "/auth/refresh", roles: [], maxBody: 4096) { call in
            let refresh = try APIJSON.decode(Refresh.self, from: call.body)
            let now = clock()
            let hash = SecretToken.hash(refresh.refreshToken)
            guard let account = try await staff.account(tokenHash: hash, kind: "refresh", now: now) else { throw APIError.unauthorized }
            try await staff.revokeToken(hash: hash)  // one use each: a stolen, already-used token is worthless
            return try .json(try await issueTokens(for: account, now: now))
        }
        api.on(.get, "/auth/me", roles: Self.everyone) { call in try .json(StaffView(call.identity.account)) }
    }

    func issueTokens(for account: StaffAccount, now: Int64) async throws -> Tokens {
        let refresh = SecretToken.generate(prefix: "dmr_")
        try await staff.storeToken(staffID: account.id, kind: "refresh", tokenHash: SecretToken.hash(refresh), name: nil, expiresAt: now + 7 * 86_400, now: now)
        return Tokens(token: jwt.token(for: account, now: now), expiresIn: jwt.lifetime, refreshToken: refresh, role: account.role.rawValue)
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
    var active: Bool

    init(_ account: StaffAccount) {
        id = account.id
        username = account.username
        role = account.role.rawValue
        courierId = account.courierID
        wechatBound = account.wechatOpenID != nil
        notifyReports = account.notifyReports
        active = account.active
    }
}
