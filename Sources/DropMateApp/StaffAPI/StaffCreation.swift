import DropMateCore
import DropMateDataProtection
import DropMateStorage

/// Why `dropmate staff create` refused.
public struct StaffCreationError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension AppDependencies {
    /// Creates a staff account from the command line, with the same checks as the API; audited as "cli".
    public func createStaff(
        username: String, password: String, role: StaffRole, courierID: Int64?
    ) async throws -> StaffAccount {
        let name: String
        do {
            name = try StaffAPI.validUsername(username)
            try StaffAPI.checkPasswordStrength(password)
        } catch let error as APIError {
            throw StaffCreationError(description: error.message)
        }
        if let courierID, try await store.courier(id: courierID) == nil {
            throw StaffCreationError(description: "courier \(courierID) does not exist")
        }
        let hash = try PasswordHasher(logN: config.passwordCost, r: 8, p: 1).hash(password)
        let now = clock()
        do {
            return try await staff.create(
                username: name, passwordHash: hash, role: role, courierID: role == .courier ? courierID : nil, now: now,
                audit: AuditEntry(
                    actorID: nil, actor: "cli", role: "admin", action: "staff.create", target: "staff",
                    after: "\(name) (\(role.rawValue))", at: now))
        } catch SQLStaffStore.StaffError.usernameTaken {
            throw StaffCreationError(description: "the username \(name) is taken")
        }
    }
}

extension AppDependencies {
    /// Resets a staff member's password from the command line (the way back in when the last admin forgot theirs);
    /// every session of the account ends. Audited as "cli".
    public func resetStaffPassword(username: String, password: String) async throws -> StaffAccount {
        guard let found = try await staff.account(username: username) else {
            throw StaffCreationError(description: "no staff member \(username)")
        }
        do { try StaffAPI.checkPasswordStrength(password) } catch let error as APIError {
            throw StaffCreationError(description: error.message)
        }
        let hash = try PasswordHasher(logN: config.passwordCost, r: 8, p: 1).hash(password)
        let now = clock()
        try await staff.changePassword(
            staffID: found.account.id, hash: hash, now: now,
            audit: AuditEntry(
                actorID: nil, actor: "cli", role: "admin", action: "staff.password_reset",
                target: "staff:\(found.account.id)",
                after: "password of \(found.account.username) reset; sessions ended", at: now))
        return found.account
    }

    /// Deactivates (ending every session, refusing API tokens) or reactivates a staff member from the command line.
    /// Audited as "cli".
    public func setStaffActive(username: String, active: Bool) async throws -> StaffAccount {
        guard let found = try await staff.account(username: username) else {
            throw StaffCreationError(description: "no staff member \(username)")
        }
        let now = clock()
        _ = try await staff.setActive(
            active, staffID: found.account.id, now: now,
            audit: AuditEntry(
                actorID: nil, actor: "cli", role: "admin", action: active ? "staff.reactivate" : "staff.deactivate",
                target: "staff:\(found.account.id)", before: found.account.active ? "active" : "inactive",
                after: active ? "active" : "inactive; sessions ended", at: now))
        var account = found.account
        account.active = active
        return account
    }
}
