import DropMateCore
import DropMateStorage
import Foundation

/// Taking access away, at once: revoke an API token, deactivate or reactivate a staff member, reset a password
/// (admins). Each ends what it should on the next request (see `StaffAuthenticator`) and is audited with the write.
extension StaffAPI {
    struct TokenView: Encodable { var id: Int64; var name: String?; var createdAt: String?; var revoked: Bool }
    struct PasswordReset: Decodable { var newPassword: String }

    func addStaffAccessRoutes(_ api: APIRouter) {
        api.on(
            .get, "/staff/:id/api-tokens", roles: Self.admins,
            doc: APIDoc(
                "A staff member's API tokens (names and ids; the tokens themselves are never stored).",
                answer: .ok("Tokens.", "Items"),
                errors: [404])
        ) { call in
            let id = try call.parameter("id")
            guard try await staff.account(id: id) != nil else { throw APIError.notFound("staff \(id)") }
            return try .json([
                "items": try await staff.apiTokens(staffID: id).map {
                    TokenView(
                        id: $0.id, name: $0.name, createdAt: APIJSON.time($0.createdAt, utcOffset: utcOffset),
                        revoked: $0.revoked)
                }
            ])
        }
        api.on(
            .delete, "/staff/:id/api-tokens/:token", roles: Self.admins, idempotent: true, maxBody: 1024,
            doc: APIDoc(
                "Revoke an API token; it is refused from the next request on.",
                answer: .noContent,
                errors: [404])
        ) { call in
            let id = try call.parameter("id")
            let tokenID = try call.parameter("token")
            let now = clock()
            guard
                try await staff.revokeAPIToken(
                    id: tokenID, staffID: id,
                    audit: call.identity.audit(
                        "staff.api_token_revoke", target: "staff:\(id)",
                        after: "API token \(tokenID) revoked", at: now))
            else { throw APIError.notFound("a live API token \(tokenID) of staff \(id)") }
            return .noContent
        }
        api.on(
            .post, "/staff/:id/deactivate", roles: Self.admins, idempotent: true, maxBody: 1024,
            doc: APIDoc(
                "Deactivate a staff member; their access tokens, refresh tokens and API tokens stop working at once.",
                answer: .ok("The account.", "Staff"),
                errors: [404])
        ) { call in
            let id = try call.parameter("id")
            guard let account = try await staff.account(id: id) else { throw APIError.notFound("staff \(id)") }
            guard id != call.identity.account.id else {
                throw APIError.conflict("you cannot deactivate your own account", code: "cannot_deactivate_self")
            }
            if account.role == .admin, account.active, try await staff.activeAdminCount() <= 1 {
                throw APIError.conflict("the last active admin cannot be deactivated", code: "last_admin")
            }
            return try .json(StaffView(try await setActive(false, account: account, by: call.identity)))
        }
        api.on(
            .post, "/staff/:id/reactivate", roles: Self.admins, idempotent: true, maxBody: 1024,
            doc: APIDoc(
                "Reactivate a staff member; they log in again (earlier sessions stay ended), their API tokens work again.",
                answer: .ok("The account.", "Staff"),
                errors: [404])
        ) { call in
            let id = try call.parameter("id")
            guard let account = try await staff.account(id: id) else { throw APIError.notFound("staff \(id)") }
            return try .json(StaffView(try await setActive(true, account: account, by: call.identity)))
        }
        api.on(
            .put, "/staff/:id/password", roles: Self.admins, maxBody: 4096,
            doc: APIDoc(
                "Reset another staff member's password; their sessions end at once (one's own is changed at /auth/password).",
                body: .json("PasswordReset"),
                answer: .ok("The account.", "Staff"),
                errors: [404, 409, .busy])
        ) { call in
            let id = try call.parameter("id")
            let reset = try APIJSON.decode(PasswordReset.self, from: call.body)
            guard let account = try await staff.account(id: id) else { throw APIError.notFound("staff \(id)") }
            guard id != call.identity.account.id else {
                // One's own password needs the current one: a stolen session must not be able to take the account over.
                throw APIError.conflict(
                    "change your own password at /auth/password, with the current one", code: "use_auth_password")
            }
            let hash = try await newPasswordHash(reset.newPassword)
            let now = clock()
            try await staff.changePassword(
                staffID: id, hash: hash, now: now,
                audit: call.identity.audit(
                    "staff.password_reset", target: "staff:\(id)",
                    after: "password of \(account.username) reset; sessions ended", at: now))
            return try .json(StaffView(account))
        }
    }

    /// Deactivating ends the member's sessions at once and refuses their API tokens while inactive; reactivating
    /// lets them log in again (old sessions stay ended).
    private func setActive(
        _ active: Bool, account: StaffAccount, by identity: StaffIdentity
    ) async throws -> StaffAccount {
        let now = clock()
        let action = active ? "staff.reactivate" : "staff.deactivate"
        guard
            try await staff.setActive(
                active, staffID: account.id, now: now,
                audit: identity.audit(
                    action, target: "staff:\(account.id)", before: account.active ? "active" : "inactive",
                    after: active ? "active" : "inactive; sessions ended", at: now))
        else { throw APIError.notFound("staff \(account.id)") }
        guard let updated = try await staff.account(id: account.id) else {
            throw APIError.notFound("staff \(account.id)")
        }
        return updated
    }
}
