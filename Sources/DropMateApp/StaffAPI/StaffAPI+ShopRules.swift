import DropMateCore
import DropMateStorage
import Foundation

/// `/merchants/{id}/rules`, `/pause`, `/resume` and `/ads/{id}/sold-out`: the shop's rules (hours, radius, minimum,
/// delivery fee, preparation time, orders for later), its pause switch and sold-out items (估清).
extension StaffAPI {
    /// A merchant's rules as staff read and write them. Absent fields on a write: no hours (open around the clock),
    /// no radius, no minimum, free delivery, no orders for later; the preparation time stays as it was.
    struct RulesBody: Codable {
        /// "mon" … "sun" to that day's intervals; a day left out is closed. Absent or null: open around the clock.
        var hours: [String: [IntervalBody]]?
        var deliveryRadiusMetres: Int?
        var minimumOrderFen: Int?
        var deliveryFee: FeeBody?
        var preparationMinutes: Int?
        var acceptsOrdersForLater: Bool?
        /// Output only: the pause switch and whether the shop takes orders right now.
        var paused: Bool?
        var pausedUntil: String?
        /// Output only: "open", "closed" or "paused", and until when (nil: no change ahead).
        var state: String?
        var stateUntil: String?
    }

    struct IntervalBody: Codable {
        var opens: String
        var closes: String
    }

    /// Exactly one of `flat_fen` and `bands`; `{}` is free delivery.
    struct FeeBody: Codable {
        var flatFen: Int?
        var bands: [BandBody]?
    }

    struct BandBody: Codable {
        /// Absent: any farther distance (the last band only).
        var upToMetres: Int?
        var feeFen: Int
    }

    struct PauseBody: Codable {
        var until: String?
    }

    func addShopRuleRoutes(_ api: APIRouter) {
        api.on(
            .get, "/merchants/:id/rules", roles: Self.office,
            doc: APIDoc(
                "The merchant's rules, its pause and whether it takes orders now.",
                answer: .ok("The rules.", "ShopRules"),
                errors: [404],
                ids: .slug)
        ) { call in
            let id = try Self.slug(call.stringParameter("id"))
            guard let found = try await catalog.merchant(id: id) else { throw APIError.notFound("merchant \(id)") }
            return try .json(
                view(
                    try await catalog.rules(merchantID: id) ?? .unrestricted,
                    preparationMinutes: found.merchant.preparationMinutes))
        }
        api.on(
            .put, "/merchants/:id/rules", roles: Self.office, idempotent: true,
            doc: APIDoc(
                "Replace the merchant's rules (hours, radius, minimum, fee, preparation time, orders for later); the pause stays.",
                body: .json("ShopRules"),
                answer: .ok("The rules.", "ShopRules"),
                errors: [404],
                ids: .slug)
        ) { call in
            try await storeRules(
                try APIJSON.decode(RulesBody.self, from: call.body),
                merchantID: try Self.slug(call.stringParameter("id")), call: call)
        }
        // One rule at a time (`{"minimum_order_fen": 2000}`); `"hours": {"sun": null}` closes Sundays, `"hours": null`
        // opens around the clock. The pause switch has its own endpoints.
        api.on(
            .patch, "/merchants/:id/rules", roles: Self.office, idempotent: true,
            doc: APIDoc(
                "Change some of the merchant's rules (JSON Merge Patch of ShopRules; `\"hours\": {\"sun\": null}` closes Sundays, `\"hours\": null` opens around the clock); the pause stays.",
                body: .mergePatch("ShopRules"),
                answer: .ok("The rules after the change.", "ShopRules"),
                errors: [404],
                ids: .slug)
        ) { call in
            let id = try Self.slug(call.stringParameter("id"))
            let patch = try MergePatch.document(call.body, contentType: call.request.headers[.contentType])
            guard let found = try await catalog.merchant(id: id) else { throw APIError.notFound("merchant \(id)") }
            let current = try MergePatch.object(
                view(
                    try await catalog.rules(merchantID: id) ?? .unrestricted,
                    preparationMinutes: found.merchant.preparationMinutes))
            for member in ["paused", "paused_until", "state", "state_until"] where patch[member] != nil {
                throw APIError.badRequest(
                    "\"\(member)\" cannot be changed here: use POST /merchants/{id}/pause or /resume", code: "read_only"
                )
            }
            let merged = MergePatch.apply(patch, to: current) as? [String: Any] ?? current
            return try await storeRules(try MergePatch.decode(RulesBody.self, from: merged), merchantID: id, call: call)
        }
        api.on(
            .post, "/merchants/:id/pause", roles: Self.office, idempotent: true,
            doc: APIDoc(
                "暂停接单 — stop taking orders now, until a time or until resumed.",
                body: .json("Pause", required: false),
                answer: .ok("The rules.", "ShopRules"),
                errors: [404],
                ids: .slug)
        ) { call in
            let id = try Self.slug(call.stringParameter("id"))
            let body = call.body.readableBytes == 0 ? PauseBody() : try APIJSON.decode(PauseBody.self, from: call.body)
            let now = clock()
            let until = try body.until.map { try time($0, field: "until") }
            if let until, until <= now {
                throw APIError.badRequest("\"until\" must be in the future", code: "invalid_rules")
            }
            return try await setPause(
                until.map(ShopPause.until) ?? .untilResumed, merchantID: id, call: call, action: "merchant.pause",
                now: now)
        }
        api.on(
            .post, "/merchants/:id/resume", roles: Self.office, idempotent: true,
            doc: APIDoc(
                "Take orders again (by the opening hours).",
                answer: .ok("The rules.", "ShopRules"),
                errors: [404],
                ids: .slug)
        ) { call in
            try await setPause(
                .off, merchantID: try Self.slug(call.stringParameter("id")), call: call, action: "merchant.resume",
                now: clock())
        }
        api.on(
            .post, "/ads/:id/sold-out", roles: Self.office, idempotent: true,
            doc: APIDoc(
                "Mark the ad sold out (估清).",
                answer: .ok("The ad.", "Ad"),
                errors: [404],
                ids: .slug)
        ) { call in try await setSoldOut(true, call: call) }
        api.on(
            .delete, "/ads/:id/sold-out", roles: Self.office,
            doc: APIDoc(
                "Mark the ad available again.",
                answer: .ok("The ad.", "Ad"),
                errors: [404],
                ids: .slug)
        ) { call in try await setSoldOut(false, call: call) }
    }

    /// Replaces a merchant's rules from a full body (a PUT's, or a PATCH's patched one); the pause stays as it is.
    func storeRules(_ body: RulesBody, merchantID id: String, call: APICall) async throws -> APIResponse {
        var rules = try Self.rules(from: body)
        guard let found = try await catalog.merchant(id: id) else { throw APIError.notFound("merchant \(id)") }
        let preparation = body.preparationMinutes ?? found.merchant.preparationMinutes
        guard (0...240).contains(preparation) else {
            throw APIError.badRequest("\"preparation_minutes\" must be 0 to 240", code: "invalid_rules")
        }
        let before = try await catalog.rules(merchantID: id)
        rules.pause = before?.pause ?? .off
        let now = clock()
        // What changed, member by member, of what a client sets (not the state that follows from it).
        func settable(_ view: RulesBody) throws -> [String: Any] {
            var object = try MergePatch.object(view)
            for member in ["paused", "paused_until", "state", "state_until"] { object[member] = nil }
            return object
        }
        let diff = AuditDiff(
            before: try settable(view(before ?? .unrestricted, preparationMinutes: found.merchant.preparationMinutes)),
            after: try settable(view(rules, preparationMinutes: preparation)))
        try await catalogWrite {
            try await catalog.saveRules(
                rules, preparationMinutes: preparation, merchantID: id, now: now,
                audit: call.identity.audit(
                    "merchant.rules", target: "merchant:\(id)", before: diff.before, after: diff.after ?? "no change",
                    at: now))
        }
        return try .json(view(rules, preparationMinutes: preparation))
    }

    func setPause(
        _ pause: ShopPause, merchantID id: String, call: APICall, action: String, now: Int64
    ) async throws -> APIResponse {
        guard let found = try await catalog.merchant(id: id) else { throw APIError.notFound("merchant \(id)") }
        var rules = try await catalog.rules(merchantID: id) ?? .unrestricted
        let before = pauseSummary(rules.pause)
        rules.pause = pause
        try await catalogWrite {
            try await catalog.setPause(
                pause, merchantID: id, now: now,
                audit: call.identity.audit(
                    action, target: "merchant:\(id)", before: before, after: pauseSummary(pause), at: now))
        }
        return try .json(view(rules, preparationMinutes: found.merchant.preparationMinutes))
    }

    func setSoldOut(_ soldOut: Bool, call: APICall) async throws -> APIResponse {
        let id = try Self.slug(call.stringParameter("id"))
        let now = clock()
        var changed = false
        try await catalogWrite {
            changed = try await catalog.setSoldOut(
                soldOut, adID: id, now: now,
                audit: call.identity.audit(soldOut ? "ad.sold_out" : "ad.back", target: "ad:\(id)", at: now))
        }
        guard changed, let ad = try await catalog.ad(id: id) else { throw APIError.notFound("ad \(id)") }
        return try .json(view(ad))
    }

    /// Rules from a request body, checked: every problem is a 400 that names it.
    static func rules(from body: RulesBody) throws -> ShopRules {
        var hours: WeeklyHours?
        if let days = body.hours {
            var week = WeeklyHours()
            for (key, intervals) in days {
                guard let day = Weekday(key: key) else {
                    throw APIError.badRequest(
                        "\"hours\": days are mon, tue, wed, thu, fri, sat, sun (not \"\(key.prefix(10))\")",
                        code: "invalid_rules")
                }
                guard intervals.count <= 6 else {
                    throw APIError.badRequest(ShopRulesProblem.tooManyIntervals(day).description, code: "invalid_rules")
                }
                week[day] = try intervals.map {
                    guard let interval = OpeningInterval(opens: $0.opens, closes: $0.closes) else {
                        throw APIError.badRequest(
                            "\"hours.\(key)\": times are HH:MM, 00:00 to 23:59 (24:00 as a closing time)",
                            code: "invalid_rules")
                    }
                    return interval
                }
            }
            hours = week
        }
        let fee: DeliveryFee
        switch (body.deliveryFee?.flatFen, body.deliveryFee?.bands) {
        case (nil, nil): fee = .free
        case (let flat?, nil): fee = .flat(Money(fen: flat))
        case (nil, let bands?):
            fee = .bands(bands.map { FeeBand(upToMetres: $0.upToMetres, fee: Money(fen: $0.feeFen)) })
        default:
            throw APIError.badRequest(
                "\"delivery_fee\" is either \"flat_fen\" or \"bands\", not both", code: "invalid_rules")
        }
        let rules = ShopRules(
            hours: hours, deliveryRadiusMetres: body.deliveryRadiusMetres,
            minimumOrder: Money(fen: body.minimumOrderFen ?? 0),
            deliveryFee: fee, acceptsOrdersForLater: body.acceptsOrdersForLater ?? false)
        if let problem = rules.problem { throw APIError.badRequest(problem.description, code: "invalid_rules") }
        return rules
    }

    func view(_ rules: ShopRules, preparationMinutes: Int) -> RulesBody {
        let hours = rules.hours.map { week in
            Dictionary(
                uniqueKeysWithValues: Weekday.allCases.filter { !week[$0].isEmpty }.map { day in
                    (
                        day.key,
                        week[day].map {
                            IntervalBody(opens: OpeningInterval.text($0.opens), closes: OpeningInterval.text($0.closes))
                        }
                    )
                })
        }
        let fee: FeeBody =
            switch rules.deliveryFee {
            case .flat(let money): FeeBody(flatFen: money.fen)
            case .bands(let bands):
                FeeBody(bands: bands.map { BandBody(upToMetres: $0.upToMetres, feeFen: $0.fee.fen) })
            }
        // A pause whose time has passed has ended, though its columns still hold it: say what holds now.
        let (state, until, pausedUntil): (String, Int64?, Int64?) =
            switch rules.availability(at: clock(), in: BusinessTime(utcOffsetSeconds: utcOffset)) {
            case .open(let closesAt): ("open", closesAt, nil)
            case .closed(let opensAt): ("closed", opensAt, nil)
            case .paused(let until, let reopensAt): ("paused", reopensAt ?? until, until)
            }
        return RulesBody(
            hours: hours, deliveryRadiusMetres: rules.deliveryRadiusMetres, minimumOrderFen: rules.minimumOrder.fen,
            deliveryFee: fee,
            preparationMinutes: preparationMinutes, acceptsOrdersForLater: rules.acceptsOrdersForLater,
            paused: state == "paused", pausedUntil: APIJSON.time(pausedUntil, utcOffset: utcOffset), state: state,
            stateUntil: APIJSON.time(until, utcOffset: utcOffset))
    }

    /// One line for the audit log.
    static func summary(_ rules: ShopRules, preparationMinutes: Int) -> String {
        let hours = rules.hours.map { "hours \($0.text)" } ?? "open around the clock"
        let radius = rules.deliveryRadiusMetres.map { "radius \($0) m" } ?? "no radius"
        let fee: String =
            switch rules.deliveryFee {
            case .flat(let money): "fee \(money)"
            case .bands(let bands): "fee in \(bands.count) bands"
            }
        return
            "\(hours), \(radius), minimum \(rules.minimumOrder), \(fee), \(preparationMinutes) min, \(rules.acceptsOrdersForLater ? "" : "no ")orders for later"
    }

    func pauseSummary(_ pause: ShopPause) -> String {
        switch pause {
        case .off: "taking orders"
        case .untilResumed: "paused until resumed"
        case .until(let end): "paused until \(APIJSON.time(end, utcOffset: utcOffset) ?? "")"
        }
    }
}
