import DropMateCore
import Hummingbird

/// One endpoint of the staff API, as registered: the OpenAPI document is generated from these, and the role matrix
/// test checks each against the server.
public struct APIEndpoint: Sendable, Hashable {
    public var method: String
    /// Relative to `/api/v1`, Hummingbird style (`/orders/:id`).
    public var path: String
    /// Empty: public (no credentials).
    public var roles: Set<StaffRole>
    /// Whether it honours an `Idempotency-Key` header.
    public var idempotent: Bool
    /// Its summary, bodies, query and particular answers.
    var doc: APIDoc

    /// The path as OpenAPI writes it (`/orders/{id}`).
    public var openAPIPath: String {
        path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.reduce("") {
            $0 + "/" + $1
        }
    }

    /// The names of its path parameters, in order (`/staff/:id/api-tokens/:token`: id, token).
    var pathParameters: [String] {
        path.split(separator: "/").filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) }
    }
}

/// What a public endpoint's handler gets: the request, its collected body and path parameters.
struct PublicCall: Sendable {
    var request: Request
    var context: StaffRequestContext
    var body: ByteBuffer
}

/// What an authenticated endpoint's handler gets: the request, its collected body, path parameters and who is
/// calling (the authenticator middleware found them and the role policy admitted them before the handler runs).
struct APICall: Sendable {
    var request: Request
    var context: StaffRequestContext
    var body: ByteBuffer
    var identity: StaffIdentity

    func parameter(_ name: String) throws -> Int64 { try Validate.id(stringParameter(name), field: name) }
    func stringParameter(_ name: String) -> String {
        let value: String? = context.parameters.get(name)
        return value ?? ""
    }
    func query(_ name: String) -> String? { request.uri.queryParameters.get(name) }
}

/// Who is calling: a staff account (through a JWT or an API token) or a courier's app (its courier token).
public struct StaffIdentity: Sendable {
    public var account: StaffAccount
    /// Who holds the credential, as idempotency keys are scoped: `staff:<id>` (a signed-in session), `api:<token id>`
    /// (an API token) or `courier:<id>` (a courier's app). Two principals never see each other's stored answers.
    public var principal: String

    public init(account: StaffAccount, principal: String? = nil) {
        self.account = account
        if let principal {
            self.principal = principal
        } else if account.id > 0 {
            self.principal = "staff:\(account.id)"
        } else {
            // A courier's app acts as an account that exists only for the call (id 0): the courier is the principal.
            self.principal = "courier:\(account.courierID.map(String.init) ?? "unknown")"
        }
    }

    /// Whether the caller is a staff member signed in with a password (not an API token, not a courier's app).
    var isSession: Bool { principal == "staff:\(account.id)" && account.id > 0 }

    /// An audit entry by this caller.
    func audit(
        _ action: String, target: String, before: String? = nil, after: String? = nil, at now: Int64
    ) -> AuditEntry {
        AuditEntry(
            actorID: account.id > 0 ? account.id : nil, actor: account.username, role: account.role.rawValue,
            action: action, target: target, before: before, after: after, at: now)
    }
}
