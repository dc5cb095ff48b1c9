import DropMateCore
import Hummingbird
import HummingbirdAuth
import Logging

/// The staff API's request context: Hummingbird's own, plus who is calling once `StaffAuthenticatorMiddleware`
/// has recognised their credential. Made from the app router's context as a request enters `/api/v1`.
struct StaffRequestContext: AuthRequestContext, ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    var identity: StaffIdentity?

    init(context: BasicRequestContext) throws {
        coreContext = context.coreContext
        identity = nil
    }
}

/// Recognises the caller of an authenticated endpoint (`StaffAuthenticator`: a staff JWT, an API token, a courier
/// app's token, or a console session with its CSRF token) and puts them in the context. No credential or a bad one
/// leaves the context without an identity (the role policy answers 401); an expired access token is answered 401
/// `token_expired` at once, so the client knows to refresh.
struct StaffAuthenticatorMiddleware: AuthenticatorMiddleware {
    typealias Context = StaffRequestContext
    let authenticator: StaffAuthenticator

    func authenticate(request: Request, context: Context) async throws -> StaffIdentity? {
        try await authenticator.identify(request)
    }
}

/// Admits a caller whose role is one of an endpoint's roles; a refusal is logged with who tried what (answered 403
/// by `AuthorizationPolicyMiddleware` with `APIError.forbidden`).
struct StaffRolePolicy: AuthorizationPolicy {
    let roles: Set<StaffRole>
    /// For the log: `POST /api/v1/orders/:id/dispatch`.
    let method: String
    let route: String
    let logger: Logger

    func isAuthorized(identity: StaffIdentity, request: Request) async throws -> Bool {
        guard roles.contains(identity.account.role) else {
            logger.warning(
                "staff API call denied",
                metadata: [
                    "dropmate.staff": "\(identity.account.username)",
                    "dropmate.role": "\(identity.account.role.rawValue)",
                    "dropmate.method": "\(method)", "dropmate.route": "\(route)",
                ])
            return false
        }
        return true
    }
}
