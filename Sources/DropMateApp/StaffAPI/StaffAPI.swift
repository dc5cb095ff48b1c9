import DropMateCore
import DropMateEngine
import DropMateObjectStore
import DropMateStorage
import Foundation
import Hummingbird
import Logging

/// The staff REST API under `/api/v1`: auth, staff accounts, orders, couriers, merchants and ads, the message
/// board, dead jobs, customers and the audit log. Every endpoint names its roles; every write by an admin or a
/// dispatcher is audited in the same transaction as the write.
public struct StaffAPI: Sendable {
    let engine: ConversationEngine
    /// Fresh reads and every write: the primary.
    let store: SQLConversationStore
    /// Lists and searches that may lag a little: the read replica when one keeps up.
    let reads: SQLReadModel
    let staff: SQLStaffStore
    let catalog: SQLCatalogStore
    let queue: SQLJobQueue
    let couriers: CourierRoster
    let jwt: StaffJWT
    /// Password hashing on its own threads, sign-in limits, trusted proxies.
    let signIn: SignIn
    let images: any ObjectStore
    /// Base of the links and image URLs the API hands out.
    let publicBaseURL: String
    let utcOffset: Int
    let clock: @Sendable () -> Int64
    let logger: Logger
    /// Daily reports: their table, the business time zone and page links.
    let reportAccess: ReportAccess
    /// WeChat Pay (nil when payment is off): the orders' `payment` and staff refunds.
    var payments: PaymentService?

    /// Registers every endpoint and returns them (the OpenAPI document and the role matrix test read the list).
    @discardableResult
    func add(to router: Router<BasicRequestContext>) -> [APIEndpoint] {
        let api = APIRouter(router: router, authenticator: StaffAuthenticator(jwt: jwt, staff: staff, couriers: couriers, clock: clock, console: consoleSessions),
                            staff: staff, sealer: store.sealer, clock: clock, logger: logger)
        addAuthRoutes(api)
        addStaffRoutes(api)
        addStaffWeChatRoutes(api)
        addOrderRoutes(api)
        addPaymentRoutes(api)
        addCourierRoutes(api)
        addCatalogRoutes(api)
        addShopRuleRoutes(api)
        addBoardRoutes(api)
        addJobRoutes(api)
        addCustomerRoutes(api)
        addAuditRoutes(api)
        addReportRoutes(api)
        api.on(.get, "/openapi.yaml", roles: []) { _ in
            APIResponse(status: .ok, body: Data(OpenAPIDocument.yaml.utf8), contentType: "application/yaml; charset=utf-8")
        }
        api.finish()
        return api.endpoints
    }

    /// Console sessions: the console's scripts call this API with their cookie and CSRF token.
    var consoleSessions: ConsoleSessions {
        ConsoleSessions(staff: staff, couriers: couriers, clock: clock, secure: publicBaseURL.lowercased().hasPrefix("https://"))
    }

    static let everyone: Set<StaffRole> = [.admin, .dispatcher, .courier]
    static let office: Set<StaffRole> = [.admin, .dispatcher]
    static let admins: Set<StaffRole> = [.admin]
}
