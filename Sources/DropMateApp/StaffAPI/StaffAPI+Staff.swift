import DropMateCore
import DropMateDataProtection
import DropMateStorage
import Foundation

/// `/staff`: accounts, API tokens and notification settings (admins only).
extension StaffAPI {
    struct NewStaff: Decodable {
        var username: String
        var password: String
        var role: String
        var courierId: Int64?
    }

    struct NewToken: Decodable { var name: String }
    struct TokenIssued: Encodable { var id: Int64; var token: String; var name: String }
    struct Notifications: Decodable { var wechatOpenid: String?; var notifyReports: Bool }

    func addStaffRoutes(_ api: APIRouter) {
        api.on(
            .get, "/staff", roles: Self.admins,
            doc: APIDoc(
                "Every staff account.",
                answer: .inline(
                    200, "Accounts.",
                    ["type": "object", "properties": ["staff": ["type": "array", "items": .ref("schemas", "Staff")]]]))
        ) { _ in try .json(["staff": try await staff.accounts().map(StaffView.init)]) }
        api.on(
            .post, "/staff", roles: Self.admins, idempotent: true, maxBody: 4096,
            doc: APIDoc(
                "Create a staff account.",
                body: .json("NewStaff"),
                answer: .created("Created.", "Staff"))
        ) { call in
            let request = try APIJSON.decode(NewStaff.self, from: call.body)
            let username = try Self.validUsername(request.username)
            guard let role = StaffRole(rawValue: request.role) else {
                throw APIError.badRequest("\"role\" must be admin, dispatcher or courier")
            }
            try Self.checkPasswordStrength(request.password)
            if role == .courier {
                guard let courierID = request.courierId, try await store.courier(id: courierID) != nil else {
                    throw APIError.badRequest("a courier account needs the \"courier_id\" of an existing courier")
                }
            }
            let hash = try await newPasswordHash(request.password)
            let now = clock()
            do {
                let account = try await staff.create(
                    username: username, passwordHash: hash, role: role,
                    courierID: role == .courier ? request.courierId : nil, now: now,
                    audit: call.identity.audit(
                        "staff.create", target: "staff", after: "\(username) (\(role.rawValue))", at: now))
                return try .json(StaffView(account), status: .created)
            } catch SQLStaffStore.StaffError.usernameTaken {
                throw APIError.conflict("the username \(username) is taken", code: "username_taken")
            }
        }
        api.on(
            .post, "/staff/:id/api-tokens", roles: Self.admins, idempotent: true, maxBody: 4096,
            doc: APIDoc(
                "Issue an API token for automation (shown once).",
                body: .json("NewToken"),
                answer: .created("The token.", "TokenIssued"),
                errors: [404])
        ) { call in
            let id = try call.parameter("id")
            let name = try Validate.text(
                try APIJSON.decode(NewToken.self, from: call.body).name, field: "name", max: 80)
            guard let account = try await staff.account(id: id) else { throw APIError.notFound("staff \(id)") }
            let token = SecretToken.generate(prefix: "dms_")
            let now = clock()
            let tokenID = try await staff.storeToken(
                staffID: account.id, kind: "api", tokenHash: SecretToken.hash(token), name: name, expiresAt: nil,
                now: now,
                audit: call.identity.audit(
                    "staff.api_token", target: "staff:\(id)", after: "token \(name) for \(account.username)", at: now))
            return try .json(TokenIssued(id: tokenID, token: token, name: name), status: .created)
        }
        addStaffAccessRoutes(api)
        api.on(
            .put, "/staff/:id/notifications", roles: Self.admins, idempotent: true, maxBody: 4096,
            doc: APIDoc(
                "Whether (and in which WeChat account) a staff member gets report notices.",
                body: .json("Notifications"),
                answer: .ok("The account.", "Staff"),
                errors: [404])
        ) { call in
            let id = try call.parameter("id")
            let request = try APIJSON.decode(Notifications.self, from: call.body)
            if let openID = request.wechatOpenid,
                !(1...64).contains(openID.count)
                    || !openID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
            {
                throw APIError.badRequest("\"wechat_openid\" is not a WeChat OpenID")
            }
            guard let account = try await staff.account(id: id) else { throw APIError.notFound("staff \(id)") }
            let now = clock()
            try await staff.setNotifications(
                staffID: id, wechatOpenID: request.wechatOpenid, notifyReports: request.notifyReports, now: now,
                audit: call.identity.audit(
                    "staff.notifications", target: "staff:\(id)",
                    before: "reports \(account.notifyReports ? "on" : "off")",
                    after: "reports \(request.notifyReports ? "on" : "off")", at: now))
            guard let updated = try await staff.account(id: id) else { throw APIError.notFound("staff \(id)") }
            return try .json(StaffView(updated))
        }
    }

    static func validUsername(_ text: String) throws -> String {
        let name = text.trimmingCharacters(in: .whitespaces)
        guard (3...40).contains(name.count),
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
        else {
            throw APIError.badRequest("\"username\" must be 3 to 40 letters, digits, dots, dashes or underscores")
        }
        return name
    }

    /// At least 10 characters and not all one kind, so a fresh install has no trivially guessable way in.
    static func checkPasswordStrength(_ password: String) throws {
        guard password.count >= 10, password.utf8.count <= PasswordHasher.maxPasswordBytes else {
            throw APIError.badRequest("\"password\" must be 10 to 1024 characters", code: "weak_password")
        }
        guard Set(password).count >= 4 else {
            throw APIError.badRequest("\"password\" is too repetitive", code: "weak_password")
        }
    }
}
