import DropMateCore
import DropMateEngine
import DropMateObjectStore
import DropMateStorage
import Foundation
import Hummingbird
import Logging
import Synchronization

/// The staff REST API under `/api/v1`: auth, staff accounts, orders, couriers, merchants and ads, the message
/// board, dead jobs, customers and the audit log. Every endpoint names its roles; every write by an admin or a
/// dispatcher is audited in the same transaction as the write.
public struct StaffAPI: Sendable {
    let engine: ConversationEngine
    /// Orders, customers and the board: fresh reads and moderation, on the primary (read models, not the engine's
    /// write port; `SQLConversationStore` in production).
    let store: any StaffConversationStore
    /// Keyed lookup hashes (a phone number searched) and the sealing of staff tokens.
    let sealer: PIISealer
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
        let api = APIRouter(
            router: router,
            authenticator: StaffAuthenticator(
                jwt: jwt, staff: staff, couriers: couriers, clock: clock, console: consoleSessions),
            staff: staff, sealer: sealer, clock: clock, logger: logger)
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
        let document = addDocumentRoutes(api)
        api.finish()
        document.publish(api.endpoints)
        return api.endpoints
    }

    /// The OpenAPI document, generated from every endpoint registered (these included) once all are, and the page
    /// that reads it.
    private func addDocumentRoutes(_ api: APIRouter) -> PublishedDocument {
        let published = PublishedDocument()
        api.onPublic(
            .get, "/openapi.yaml",
            doc: APIDoc(
                "This document.",
                answer: .inline(200, "The OpenAPI document.", ["type": "string"], mediaType: "application/yaml"))
        ) { _ in
            APIResponse(status: .ok, body: published.rendering.yaml, contentType: "application/yaml; charset=utf-8")
        }
        api.onPublic(
            .get, "/openapi.json",
            doc: APIDoc(
                "This document as JSON (what the docs page reads).",
                answer: .inline(200, "The OpenAPI document.", ["type": "object"]))
        ) { _ in
            APIResponse(status: .ok, body: published.rendering.json)
        }
        api.onPublic(
            .get, "/docs",
            doc: APIDoc(
                "A readable reference of this document: endpoints, roles, parameters, answers and schemas.",
                answer: .inline(200, "The page.", ["type": "string"], mediaType: "text/html"))
        ) { _ in
            APIResponse(
                status: .ok, body: Data(APIDocsPage.html.utf8), contentType: "text/html; charset=utf-8",
                headers: APIDocsPage.headers)
        }
        api.onPublic(
            .get, "/docs.js",
            doc: APIDoc(
                "The docs page's script.",
                answer: .inline(200, "The script.", ["type": "string"], mediaType: "text/javascript"))
        ) { _ in
            APIResponse(status: .ok, body: Data(APIDocsPage.script.utf8), contentType: "text/javascript; charset=utf-8")
        }
        api.onPublic(
            .get, "/docs.css",
            doc: APIDoc(
                "The docs page's stylesheet.",
                answer: .inline(200, "The stylesheet.", ["type": "string"], mediaType: "text/css"))
        ) { _ in
            APIResponse(status: .ok, body: Data(APIDocsPage.stylesheet.utf8), contentType: "text/css; charset=utf-8")
        }
        return published
    }

    /// Console sessions: the console's scripts call this API with their cookie and CSRF token.
    var consoleSessions: ConsoleSessions {
        ConsoleSessions(
            staff: staff, couriers: couriers, clock: clock, secure: publicBaseURL.lowercased().hasPrefix("https://"))
    }

    static let everyone: Set<StaffRole> = [.admin, .dispatcher, .courier]
    static let office: Set<StaffRole> = [.admin, .dispatcher]
    static let admins: Set<StaffRole> = [.admin]
}

/// The document of the endpoints published once all are registered, rendered on its first request.
final class PublishedDocument: Sendable {
    private let state = Mutex<(endpoints: [APIEndpoint], rendered: (yaml: Data, json: Data)?)>(([], nil))

    func publish(_ endpoints: [APIEndpoint]) { state.withLock { $0 = (endpoints, nil) } }

    var rendering: (yaml: Data, json: Data) {
        state.withLock { state in
            if let rendered = state.rendered { return rendered }
            let document = OpenAPIDocument.document(for: state.endpoints)
            let rendered = (yaml: Data(document.yaml.utf8), json: Data(document.json.utf8))
            state.rendered = rendered
            return rendered
        }
    }
}
