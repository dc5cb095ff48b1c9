import DropMateCore
import DropMateDataProtection
import DropMateStorage

/// Why `dropmate staff create` refused.
public struct StaffCreationError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension AppDependencies {
    /// Creates a staff account from the command line, with the same checks as the API; audited as "cli".
    public func createStaff(username: String, password: String, role: StaffRole, courierID: Int64?) async throws -> StaffAccount {
        let name: String
        do {
            name = try StaffAPI.validUsername(username)
            try StaffAPI.checkPasswordStrength(password)
        } catch let error as APIError {
            throw StaffCreationError(description: error.message)
        }
        if let courierID, try await store.courier(id: courierID) == nil { throw StaffCreationError(description: "courier \(courierID) does not exist") }
        let hash = try PasswordHasher(logN: config.passwordCost, r: 8, p: 1).hash(password)
        let now = clock()
        do {
            return try await staff.create(username: name, passwordHash: hash, role: role, courierID: role == .courier ? courierID : nil, now: now,
                                          audit: AuditEntry(actorID: nil, actor: "cli", role: "admin", action: "staff.create", target: "staff",
                                                            after: "\(name) (\(role.rawValue))", at: now))
        } catch SQLStaffStore.StaffError.usernameTaken {
            throw StaffCreationError(description: "the username \(name) is taken")
        }
    }
}
