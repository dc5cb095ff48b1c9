import DropMateCore
import DropMateStorage
import Foundation
import Hummingbird

/// Recognises the `Authorization: Bearer …` credential: a staff JWT, a staff API token (`dms_…`) or a courier
/// app's token (`dmc_…`, acting as that courier); without one, a web console session's cookie together with its
/// CSRF token in `X-CSRF-Token` (see `ConsoleSessions.apiIdentity`). Nil: no valid credential (401); a genuine
/// access token whose time is up throws `APIError.tokenExpired` instead, so the caller knows to refresh.
struct StaffAuthenticator: Sendable {
    let jwt: StaffJWT
    let staff: SQLStaffStore
    let couriers: CourierRoster
    let clock: @Sendable () -> Int64
    var console: ConsoleSessions? = nil

    func identify(_ request: Request) async throws -> StaffIdentity? {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            return try await console?.apiIdentity(request)
        }
        let token = header.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.count <= 4096 else { return nil }
        if token.hasPrefix("dms_") {
            // An API token is its own principal: its idempotency keys are not its account's sessions' keys.
            guard let found = try await staff.apiTokenAccount(tokenHash: SecretToken.hash(token), now: clock()) else {
                return nil
            }
            return StaffIdentity(account: found.account, principal: "api:\(found.tokenID)")
        }
        if token.hasPrefix("dmc_") {
            guard let courier = try await couriers.courier(apiToken: token) else { return nil }
            return StaffIdentity(
                account: StaffAccount(
                    id: 0, username: "courier-app:\(courier.id)", role: .courier, courierID: courier.id))
        }
        let claims: StaffJWT.Claims
        switch jwt.check(token, now: clock()) {
        case .valid(let valid): claims = valid
        case .expired: throw APIError.tokenExpired
        case .invalid: return nil
        }
        guard let id = Int64(claims.sub) else { return nil }
        // The account is read again: a deactivated account, a changed role or ended sessions (a password change moves
        // the token version on) take effect at once.
        guard let session = try await staff.session(id: id), session.account.active,
            (claims.ver ?? 0) == session.tokenVersion
        else { return nil }
        return StaffIdentity(account: session.account)
    }
}
