import DropMateCore
import DropMateEngine
import DropMateStorage
import Foundation

/// `/orders`: list and look at orders, dispatch, deliver, cancel; `/courier/deliveries` for couriers.
extension StaffAPI {
    struct Page<Item: Encodable>: Encodable {
        var items: [Item]
        var page: Int
        var perPage: Int
        var total: Int
    }

    struct Dispatch: Decodable { var courierId: Int64 }
    struct Cancel: Decodable { var reason: String }

    func addOrderRoutes(_ api: APIRouter) {
        api.on(
            .get, "/orders", roles: Self.office,
            doc: APIDoc(
                "Orders, newest first, filtered and paged.",
                query: [
                    .query(
                        "status",
                        [
                            "type": "string",
                            "enum": ["awaiting_confirmation", "confirmed", "dispatched", "delivered", "cancelled"],
                        ]),
                    .query(
                        "from", ["type": "string"],
                        description: "placed at or after (YYYY-MM-DD in the business time zone, or ISO 8601)"),
                    .query("to", ["type": "string"], description: "placed before"),
                    .query("merchant", ["type": "string", "maxLength": 64]),
                    .query("courier", ["type": "integer", "minimum": 1]),
                    .query(
                        "phone", ["type": "string", "maxLength": 20],
                        description:
                            "the customer's mobile number (matched through a keyed hash); a dispatcher's searches by number are audited and limited to 20 an hour"
                    ),
                    .page,
                    .perPage,
                ],
                answer: .ok("A page of orders.", "OrderPage"),
                errors: [429])
        ) { call in
            let (page, perPage) = try Self.paging(call)
            let filter = try orderFilter(call)
            if filter.phoneHashes != nil { try await recordPhoneSearch(call) }
            let found = try await reads.orders(matching: filter, limit: perPage, offset: (page - 1) * perPage)
            let items = try await withPayments(
                found.orders.map { OrderView($0, for: call.identity, utcOffset: utcOffset) }, orders: found.orders)
            return try .json(Page(items: items, page: page, perPage: perPage, total: found.total))
        }
        api.on(
            .get, "/orders/:id", roles: Self.office,
            doc: APIDoc(
                "One order with its history and board posts.",
                answer: .ok("The order.", "OrderDetail"),
                errors: [404])
        ) { call in
            let id = try call.parameter("id")
            guard let order = try await store.order(id: id) else { throw APIError.notFound("order #\(id)") }
            let history = try await store.history(orderID: id).map {
                OrderDetailView.Event(status: $0.status, at: APIJSON.time($0.at, utcOffset: utcOffset))
            }
            let posts = try await store.posts(orderID: id).map {
                OrderDetailView.Post(
                    id: $0.id, body: $0.body, createdAt: APIJSON.time($0.createdAt, utcOffset: utcOffset))
            }
            let view = try await withPayments(
                [OrderView(order, for: call.identity, utcOffset: utcOffset)], orders: [order])[0]
            return try .json(OrderDetailView(order: view, history: history, posts: posts))
        }
        api.on(
            .post, "/orders/:id/dispatch", roles: Self.office, idempotent: true, maxBody: 4096,
            doc: APIDoc(
                "Dispatch the order to a courier (or hand it to another); the customer and the courier are told. Refused (409 `courier_unreachable`) when nothing would reach the courier: no WeChat bound and no phone number or no SMS provider.",
                body: .json("Dispatch"),
                answer: .ok("The order.", "Order"),
                errors: [404])
        ) { call in
            let id = try call.parameter("id")
            let courierID = try APIJSON.decode(Dispatch.self, from: call.body).courierId
            let before = try await store.order(id: id)
            let now = clock()
            let order = try await runOrderCommand(id) {
                try await engine.assign(
                    orderID: id, courierID: courierID,
                    audit: call.identity.audit(
                        "order.dispatch", target: "order:\(id)", before: Self.summary(before),
                        after: "dispatched to courier \(courierID)", at: now))
            }
            return try .json(OrderView(order, for: call.identity, utcOffset: utcOffset))
        }
        // Before a stored answer is replayed: a courier names only their own deliveries (the engine decides again under the lock).
        api.on(
            .post, "/orders/:id/deliver", roles: Self.everyone, idempotent: true, maxBody: 4096,
            doc: APIDoc(
                "Mark the order delivered (couriers only their own).",
                answer: .ok("The order.", "Order"),
                errors: [403, 404]),
            authorize: { call in
                guard call.identity.account.role == .courier else { return }
                let id = try call.parameter("id")
                let courierID = try await actingCourier(call).id
                guard try await store.order(id: id)?.courierID == courierID else {
                    throw APIError(
                        status: .forbidden, code: "not_your_delivery",
                        message: "order #\(id) is not one of your deliveries")
                }
            }
        ) { call in
            let id = try call.parameter("id")
            let identity = call.identity
            let notYours = APIError(
                status: .forbidden, code: "not_your_delivery", message: "order #\(id) is not one of your deliveries")
            if identity.account.role == .courier {
                // Whether the order is the courier's is decided under the customer's lock (`deliver(orderID:asCourier:)`).
                let courierID = try await actingCourier(call).id
                do {
                    return try .json(
                        OrderView(
                            try await engine.deliver(orderID: id, asCourier: courierID), for: identity,
                            utcOffset: utcOffset))
                } catch EngineError.notTheCourier, EngineError.orderNotFound {
                    throw notYours
                } catch let error as EngineError {
                    throw Self.apiError(error, orderID: id)
                }
            }
            let before = try await store.order(id: id)
            let audit = identity.audit(
                "order.deliver", target: "order:\(id)", before: Self.summary(before), after: "delivered", at: clock())
            let order = try await runOrderCommand(id) { try await engine.apply(.deliver, toOrder: id, audit: audit) }
            return try .json(OrderView(order, for: identity, utcOffset: utcOffset))
        }
        api.on(
            .post, "/orders/:id/cancel", roles: Self.office, idempotent: true, maxBody: 4096,
            doc: APIDoc(
                "Cancel the order with a reason; the customer is told.",
                body: .json("Cancel"),
                answer: .ok("The order.", "Order"),
                errors: [404])
        ) { call in
            let id = try call.parameter("id")
            let reason = try Validate.text(
                try APIJSON.decode(Cancel.self, from: call.body).reason, field: "reason", max: 200)
            let before = try await store.order(id: id)
            let now = clock()
            let order = try await runOrderCommand(id) {
                try await engine.apply(
                    .cancel(reason: reason), toOrder: id,
                    audit: call.identity.audit(
                        "order.cancel", target: "order:\(id)", before: Self.summary(before),
                        after: "cancelled: \(reason)", at: now))
            }
            return try .json(OrderView(order, for: call.identity, utcOffset: utcOffset))
        }
        api.on(
            .get, "/courier/deliveries", roles: [.courier],
            doc: APIDoc("The calling courier's deliveries in progress.", answer: .ok("Orders.", "Items"))
        ) { call in
            let courierID = try await actingCourier(call).id
            return try .json([
                "items": try await store.deliveries(courierID: courierID).map {
                    OrderView($0, for: call.identity, utcOffset: utcOffset)
                }
            ])
        }
    }

    /// Runs an engine command, turning its refusals into clear API errors.
    func runOrderCommand(_ id: Int64, _ body: () async throws -> Order) async throws -> Order {
        do {
            return try await body()
        } catch let error as EngineError {
            throw Self.apiError(error, orderID: id)
        }
    }

    /// An engine refusal as an API error.
    static func apiError(_ error: EngineError, orderID id: Int64) -> APIError {
        switch error {
        case .orderNotFound: APIError.notFound("order #\(id)")
        case .courierNotFound(let courier):
            APIError.badRequest("courier \(courier) does not exist", code: "unknown_courier")
        case .transition, .courierInactive, .notTheCourier, .ownOrder:
            APIError.conflict(error.description, code: "not_allowed")
        case .unpaid: APIError.conflict(error.description, code: "payment_required")
        case .courierUnreachable: APIError.conflict(error.description, code: "courier_unreachable")
        }
    }

    func orderFilter(_ call: APICall) throws -> SQLConversationStore.OrderFilter {
        var filter = SQLConversationStore.OrderFilter()
        if let status = call.query("status") {
            guard let parsed = OrderStatus(rawValue: status) else {
                throw APIError.badRequest(
                    "\"status\" must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.status = parsed
        }
        for (name, keyPath) in [("from", \SQLConversationStore.OrderFilter.from), ("to", \.to)] {
            guard let text = call.query(name) else { continue }
            guard let time = APIJSON.parseTime(text, utcOffset: utcOffset) else {
                throw APIError.badRequest("\"\(name)\" must be a date (YYYY-MM-DD) or an ISO 8601 time")
            }
            filter[keyPath: keyPath] = time
        }
        if let merchant = call.query("merchant") {
            filter.merchantID = try Validate.text(merchant, field: "merchant", max: 64)
        }
        if let courier = call.query("courier") { filter.courierID = try Validate.id(courier, field: "courier") }
        if let phone = call.query("phone") {
            // Found through the keyed hash: the number itself is never stored or searched in the clear.
            guard let number = PhoneNumber(phone) else {
                throw APIError.badRequest("\"phone\" is not a mainland mobile number")
            }
            filter.phoneHashes = sealer.phoneHashCandidates(number.digits)
        }
        return filter
    }

    /// Searches by phone number a non-admin may make in an hour.
    static let phoneSearchesPerHour = 20

    /// A dispatcher finds an order by the number a customer gives on the phone. Each such search is audited (without
    /// the number) and at most `phoneSearchesPerHour` are answered: otherwise trying the 10,000 middle digits of a
    /// masked number would tell a dispatcher the whole number, which `PhoneReader`'s rule keeps from them.
    func recordPhoneSearch(_ call: APICall) async throws {
        guard call.identity.account.role != .admin else { return }
        let entry = call.identity.audit(
            "order.phone_search", target: "orders", after: "searched by phone number", at: clock())
        guard try await staff.recordSearch(entry, limit: Self.phoneSearchesPerHour, window: 3_600) else {
            throw APIError(
                status: .tooManyRequests, code: "too_many_phone_searches",
                message: "at most \(Self.phoneSearchesPerHour) searches by phone number an hour", retryAfter: 3_600)
        }
    }

    static func paging(_ call: APICall) throws -> (page: Int, perPage: Int) {
        let page =
            try call.query("page").map { text -> Int in
                guard let value = Int(text), (1...100_000).contains(value) else {
                    throw APIError.badRequest("\"page\" must be a whole number from 1")
                }
                return value
            } ?? 1
        let perPage =
            try call.query("per_page").map { text -> Int in
                guard let value = Int(text), (1...100).contains(value) else {
                    throw APIError.badRequest("\"per_page\" must be 1 to 100")
                }
                return value
            } ?? 20
        return (page, perPage)
    }

    /// "confirmed, courier 3": an order's state in an audit entry (no customer data).
    static func summary(_ order: Order?) -> String? {
        guard let order else { return nil }
        return order.status.rawValue + (order.courierID.map { ", courier \($0)" } ?? "")
    }
}
