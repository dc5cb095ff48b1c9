import DropMateCore
import DropMateStorage
import Foundation

/// `/jobs` (dead letters), `/customers` (by order) and `/audit` (admins).
extension StaffAPI {
    struct JobView: Encodable {
        var id: Int64
        var kind: String
        var attempts: Int
        var maxAttempts: Int
        var lastError: String?
    }

    struct CustomerView: Encodable {
        var openid: String
        var phone: String
        var orders: [Int64]
    }

    struct AuditView: Encodable {
        var id: Int64
        var actor: String
        var role: String
        var action: String
        var target: String
        var before: String?
        var after: String?
        var at: String?
    }

    func addJobRoutes(_ api: APIRouter) {
        api.on(
            .get, "/jobs/dead", roles: Self.office,
            doc: APIDoc(
                "Dead jobs with why they died, newest first.",
                query: [.page, .perPage],
                answer: .ok("Jobs.", "Items"))
        ) { call in
            let limit = try Self.paging(call).perPage
            return try .json([
                "items": try await queue.deadJobs(limit: limit).map {
                    JobView(
                        id: $0.id, kind: $0.kind, attempts: $0.attempts, maxAttempts: $0.maxAttempts,
                        lastError: $0.lastError)
                }
            ])
        }
        api.on(
            .post, "/jobs/:id/retry", roles: Self.office, idempotent: true, maxBody: 1024,
            doc: APIDoc("Put a dead job back on the queue.", answer: .ok("Queued again."))
        ) { call in
            let id = try call.parameter("id")
            let now = clock()
            guard try await queue.retryDead(id, now: now) else {
                throw APIError.conflict("job \(id) is not a dead job", code: "not_dead")
            }
            try await staff.append(
                call.identity.audit("job.retry", target: "job:\(id)", before: "dead", after: "queued", at: now))
            return try .json(["queued": true])
        }
    }

    struct StaffMessage: Decodable { var body: String; var endHandoff: Bool? }

    func addCustomerRoutes(_ api: APIRouter) {
        api.on(
            .get, "/customers", roles: Self.office,
            doc: APIDoc(
                "The customer of an order (phone masked unless admin).",
                query: [.query("order_id", ["type": "integer", "minimum": 1], required: true)],
                answer: .ok("The customer.", "Customer"),
                errors: [404])
        ) { call in
            let orderID = try Validate.id(call.query("order_id"), field: "order_id")
            guard let order = try await store.order(id: orderID) else { throw APIError.notFound("order #\(orderID)") }
            let orders = try await store.recentOrders(customer: order.customer, limit: 50).map(\.id)
            return try .json(
                CustomerView(
                    openid: order.customer, phone: order.phone(shownTo: call.identity.phoneReader), orders: orders))
        }
        // Answering a customer who asked for a person ("人工客服"): the words go to their chat as a push.
        api.on(
            .post, "/customers/:openid/messages", roles: Self.office, idempotent: true, maxBody: 8192,
            doc: APIDoc(
                "Write to a customer in their chat (a push); a handoff to a person carries on, or ends with end_handoff.",
                body: .json("StaffMessage"),
                answer: .created("Queued."))
        ) { call in
            let openID = call.stringParameter("openid")
            guard !openID.isEmpty, openID.count <= 64,
                openID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
            else {
                throw APIError.badRequest("\"openid\" must be 1 to 64 letters, digits, _ or -")
            }
            let request = try APIJSON.decode(StaffMessage.self, from: call.body)
            let body = try Validate.text(request.body, field: "body", max: 500)
            let ends = request.endHandoff ?? false
            try await engine.messageFromStaff(
                to: openID, text: body, endsHandoff: ends,
                audit: call.identity.audit(
                    "customer.message", target: "customer:\(openID)",
                    after: String(body.prefix(80)) + (ends ? " (handoff ended)" : ""), at: clock()))
            return try .json(["sent": true], status: .created)
        }
    }

    func addAuditRoutes(_ api: APIRouter) {
        api.on(
            .get, "/audit", roles: Self.admins,
            doc: APIDoc(
                "The audit log, newest first.",
                query: [.query("before_id", ["type": "integer", "minimum": 1]), .perPage],
                answer: .ok("Entries.", "Items"))
        ) { call in
            let limit = try Self.paging(call).perPage
            let before = try call.query("before_id").map { try Validate.id($0, field: "before_id") }
            let entries = try await reads.audit(limit: limit, beforeID: before)
            return try .json([
                "items": entries.map {
                    AuditView(
                        id: $0.id, actor: $0.entry.actor, role: $0.entry.role, action: $0.entry.action,
                        target: $0.entry.target,
                        before: $0.entry.before, after: $0.entry.after,
                        at: APIJSON.time($0.entry.at, utcOffset: utcOffset))
                }
            ])
        }
    }
}
