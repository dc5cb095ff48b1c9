import Crypto
import DropMateCore
import DropMateStorage
import Foundation
import HTTPTypes
import Hummingbird

/// Browser sessions for the console and the courier web app: an HttpOnly, `SameSite=Strict` cookie (`Secure`, and
/// the `__Host-` name, when the public base URL is https) holding a random token whose SHA-256 alone is stored.
///
/// - Sign-in always mints a new token (no session fixation: a token is never taken from the browser or a URL).
/// - Sessions end after `idleLimit` seconds unused, after `lifetime` whatever happens, at sign-out, and (staff)
///   when the account is deactivated or its password changes (the account's token version moves on).
/// - The CSRF token is an HMAC of the session token: nothing more to store, and it is worthless without the cookie
///   an attacker's page cannot read. Every state-changing request must carry it (`X-CSRF-Token` or a form field).
struct ConsoleSessions: Sendable {
    let staff: SQLStaffStore
    let couriers: CourierRoster
    let clock: @Sendable () -> Int64
    /// The public base URL is https: cookies are `Secure` and named `__Host-…`.
    let secure: Bool

    /// Staff sessions end after two hours unused; couriers work longer shifts from one phone.
    static let staffIdleLimit: Int64 = 2 * 3_600
    static let courierIdleLimit: Int64 = 12 * 3_600
    /// No session outlives a day.
    static let lifetime: Int64 = 86_400
    /// Uses within this many seconds of the last recorded one are not written again.
    static let touchEvery: Int64 = 60

    /// One signed-in browser.
    struct Session: Sendable {
        var identity: StaffIdentity
        /// The cookie's token (never logged, never shown).
        var token: String
        var csrf: String { ConsoleSessions.csrf(for: token) }
        var isCourier: Bool { identity.account.role == .courier }
    }

    var cookieName: String { secure ? "__Host-dm_console" : "dm_console" }
    var loginCookieName: String { secure ? "__Host-dm_login" : "dm_login" }

    // MARK: Starting and ending

    /// A new session for a signed-in staff account (at its current token version); returns the token for the cookie.
    func start(staffID: Int64, tokenVersion: Int64) async throws -> String {
        let token = SecretToken.generate(prefix: "dmw_")
        try await staff.createConsoleSession(
            tokenHash: SecretToken.hash(token), staffID: staffID, courierID: nil, tokenVersion: tokenVersion,
            now: clock())
        return token
    }

    /// A new session for courier `courierID` (signed in with their app token).
    func start(courierID: Int64) async throws -> String {
        let token = SecretToken.generate(prefix: "dmw_")
        try await staff.createConsoleSession(
            tokenHash: SecretToken.hash(token), staffID: nil, courierID: courierID, tokenVersion: 0, now: clock())
        return token
    }

    func end(_ session: Session) async throws {
        try await staff.endConsoleSession(tokenHash: SecretToken.hash(session.token))
    }

    // MARK: Recognising

    /// The live session this request's cookie names, renewed quietly while in use; nil when there is none.
    func session(_ request: Request) async throws -> Session? {
        guard let token = cookie(cookieName, in: request), token.hasPrefix("dmw_"), token.count <= 100 else {
            return nil
        }
        let now = clock()
        let hash = SecretToken.hash(token)
        // The shorter idle limit is checked for staff below; the query keeps anything the longer one allows.
        guard
            let stored = try await staff.consoleSession(
                tokenHash: hash, idleSince: now - Self.courierIdleLimit, startedSince: now - Self.lifetime)
        else { return nil }
        let identity: StaffIdentity
        if let staffID = stored.staffID {
            guard stored.lastSeenAt >= now - Self.staffIdleLimit, let found = try await staff.session(id: staffID),
                found.account.active,
                found.tokenVersion == stored.tokenVersion
            else { return nil }
            identity = StaffIdentity(account: found.account)
        } else if let courierID = stored.courierID {
            guard let courier = try await couriers.courier(id: courierID), courier.active else { return nil }
            identity = StaffIdentity(
                account: StaffAccount(
                    id: 0, username: "courier-app:\(courier.id)", role: .courier, courierID: courier.id))
        } else {
            return nil
        }
        if now - stored.lastSeenAt >= Self.touchEvery { try await staff.touchConsoleSession(tokenHash: hash, now: now) }
        return Session(identity: identity, token: token)
    }

    /// For the staff REST API: the session of a request that carries both the cookie and its CSRF token in
    /// `X-CSRF-Token` (the console's scripts call the API this way; a cross-site page can send the cookie, at most,
    /// never the token).
    func apiIdentity(_ request: Request) async throws -> StaffIdentity? {
        guard let presented = request.headers[.csrfToken], let session = try await session(request),
            Self.matches(presented, session.csrf)
        else { return nil }
        return session.identity
    }

    /// Whether `presented` is this session's CSRF token (constant time).
    static func matches(_ presented: String, _ expected: String) -> Bool {
        let a = Array(presented.utf8), b = Array(expected.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func csrf(for token: String) -> String {
        HMAC<SHA256>.authenticationCode(
            for: Array("dropmate console csrf".utf8), using: SymmetricKey(data: Array(token.utf8))
        )
        .map { String(format: "%02x", $0) }.joined()
    }

    func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    return String(parts[1]).trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }

    // MARK: Cookies

    /// `Set-Cookie` for a session token (`nil`: clear the cookie).
    func sessionCookie(_ token: String?) -> String {
        Self.cookieHeader(
            name: cookieName, value: token ?? "", maxAge: token == nil ? 0 : Self.lifetime, secure: secure)
    }

    /// `Set-Cookie` for the sign-in form's CSRF token (before there is a session).
    func loginCookie(_ value: String?) -> String {
        Self.cookieHeader(name: loginCookieName, value: value ?? "", maxAge: value == nil ? 0 : 3_600, secure: secure)
    }

    static func cookieHeader(name: String, value: String, maxAge: Int64, secure: Bool) -> String {
        "\(name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }
}

extension HTTPField.Name {
    static let csrfToken = Self("X-CSRF-Token")!
}
