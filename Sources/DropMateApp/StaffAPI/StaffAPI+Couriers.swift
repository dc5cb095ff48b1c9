import DropMateCore
import DropMateEngine
import Foundation

/// `/couriers`: add couriers, see where they are, issue binding codes and app tokens, switch couriers off and on;
/// `/courier/position` for couriers' apps.
extension StaffAPI {
    struct NewCourier: Decodable { var name: String; var phone: String? }
    struct Position: Decodable { var latitude: Double; var longitude: Double }

    struct CourierView: Encodable {
        var id: Int64
        var name: String
        var phone: String?
        var active: Bool
        var wechatBound: Bool
        var latitude: Double?
        var longitude: Double?
        var positionAt: String?

        init(_ courier: Courier, for identity: StaffIdentity, utcOffset: Int) {
            id = courier.id
            name = courier.name
            phone = courier.phone.map { identity.account.role == .admin ? $0.digits : $0.masked }
            active = courier.active
            wechatBound = courier.openID != nil
            latitude = courier.position?.coordinate.latitude
            longitude = courier.position?.coordinate.longitude
            positionAt = APIJSON.time(courier.position?.at, utcOffset: utcOffset)
        }
    }

    struct CourierCreated: Encodable {
        var courier: CourierView
        /// For the courier's app; shown only now.
        var apiToken: String
        var bindingCode: String
        var bindingCodeExpiresAt: String?
    }

    struct BindingCode: Encodable { var code: String; var expiresAt: String? }
    struct PositionAccepted: Encodable { var courierId: Int64; var deliveries: Int }
    struct CourierToken: Encodable { var courierId: Int64; var apiToken: String }

    /// Creating couriers and handing out or taking away their credentials is for admins only: a courier reads
    /// customers' whole phone numbers (see `PhoneReader`), so whoever could mint one could read them.
    func addCourierRoutes(_ api: APIRouter) {
        api.on(
            .get, "/couriers", roles: Self.office,
            doc: APIDoc("Every courier with their last position.", answer: .ok("Couriers.", "Items"))
        ) { call in
            try .json([
                "items": try await couriers.all().map { CourierView($0, for: call.identity, utcOffset: utcOffset) }
            ])
        }
        api.on(
            .post, "/couriers", roles: Self.admins, idempotent: true, maxBody: 4096,
            doc: APIDoc(
                "Add a courier (admins only, as every courier credential); returns their app token and a WeChat binding code.",
                body: .json("NewCourier"),
                answer: .created("Created.", "CourierCreated"))
        ) { call in
            let request = try APIJSON.decode(NewCourier.self, from: call.body)
            let name = try Validate.text(request.name, field: "name", max: 40)
            var phone: PhoneNumber?
            if let text = request.phone {
                guard let parsed = PhoneNumber(text) else {
                    throw APIError.badRequest("\"phone\" is not a mainland mobile number (11 digits starting 13–19)")
                }
                phone = parsed
            }
            let now = clock()
            let created = try await couriers.create(
                name: name, phone: phone,
                audit: call.identity.audit("courier.create", target: "courier", after: name, at: now))
            let code = try await couriers.issueBindingCode(courierID: created.courier.id)
            return try .json(
                CourierCreated(
                    courier: CourierView(created.courier, for: call.identity, utcOffset: utcOffset),
                    apiToken: created.apiToken, bindingCode: code.code,
                    bindingCodeExpiresAt: APIJSON.time(code.expiresAt, utcOffset: utcOffset)), status: .created)
        }
        // A courier's name and phone (null clears the phone); switching on and off has its own endpoints.
        api.on(
            .patch, "/couriers/:id", roles: Self.admins, idempotent: true, maxBody: 4096,
            doc: APIDoc(
                "Change a courier's name or phone (JSON Merge Patch; null clears the phone). Admins only, as every courier credential.",
                body: .mergePatch("CourierPatch"),
                answer: .ok("The courier after the change.", "Courier"),
                errors: [404])
        ) { call in
            let id = try call.parameter("id")
            let patch = try MergePatch.document(call.body, contentType: call.request.headers[.contentType])
            guard let courier = try await couriers.courier(id: id) else { throw APIError.notFound("courier \(id)") }
            let current = try MergePatch.object(CourierView(courier, for: call.identity, utcOffset: utcOffset))
            try MergePatch.refuse(
                patch,
                changing: [
                    "id": "a courier's id is fixed", "active": "use POST /couriers/{id}/deactivate or /reactivate",
                    "wechat_bound": "couriers bind WeChat with a binding code",
                    "latitude": "couriers' apps report positions",
                    "longitude": "couriers' apps report positions", "position_at": "couriers' apps report positions",
                ], in: current)
            var name = courier.name, phone = courier.phone
            switch patch["name"] {
            case nil: break
            case let text as String: name = try Validate.text(text, field: "name", max: 40)
            case is NSNull: throw APIError.badRequest("\"name\" cannot be cleared")
            default: throw APIError.badRequest("wrong type for \"name\"")
            }
            switch patch["phone"] {
            case nil: break
            case is NSNull: phone = nil
            case let text as String:
                guard let parsed = PhoneNumber(text) else {
                    throw APIError.badRequest("\"phone\" is not a mainland mobile number (11 digits starting 13–19)")
                }
                phone = parsed
            default: throw APIError.badRequest("wrong type for \"phone\"")
            }
            func member(_ phone: PhoneNumber?) -> Any { phone.map { $0.digits as Any } ?? NSNull() }
            let diff = AuditDiff(
                before: ["name": courier.name, "phone": member(courier.phone)],
                after: ["name": name, "phone": member(phone)])
            let updated = try await courierCommand(id) {
                try await couriers.update(
                    courierID: id, name: name, phone: phone,
                    audit: call.identity.audit(
                        "courier.update", target: "courier:\(id)", before: diff.before,
                        after: diff.after ?? "no change", at: clock()))
            }
            return try .json(CourierView(updated, for: call.identity, utcOffset: utcOffset))
        }
        api.on(
            .post, "/couriers/:id/binding-code", roles: Self.admins, idempotent: true, maxBody: 1024,
            doc: APIDoc(
                "A new WeChat binding code for the courier (eight characters, valid 30 minutes, dead after 10 wrong codes from anyone; the old one stops working).",
                answer: .created("The code.", "BindingCode"),
                errors: [404])
        ) { call in
            let id = try call.parameter("id")
            let code = try await courierCommand(id) {
                try await couriers.issueBindingCode(
                    courierID: id,
                    audit: call.identity.audit(
                        "courier.binding_code", target: "courier:\(id)", after: "new binding code", at: clock()))
            }
            return try .json(
                BindingCode(code: code.code, expiresAt: APIJSON.time(code.expiresAt, utcOffset: utcOffset)),
                status: .created)
        }
        let switches = [
            (
                "deactivate", false,
                "Switch the courier off at once (their WeChat chat becomes a customer's, their binding and code are dropped, their app token is refused)."
            ),
            (
                "reactivate", true,
                "Switch the courier on again (their app token works again unless revoked; WeChat needs a new binding code)."
            ),
        ]
        for (verb, active, summary) in switches {
            api.on(
                .post, "/couriers/:id/\(verb)", roles: Self.admins, idempotent: true, maxBody: 1024,
                doc: APIDoc(summary, answer: .ok("The courier.", "Courier"), errors: [404])
            ) { call in
                let id = try call.parameter("id")
                let before = try await couriers.courier(id: id)
                let audit = call.identity.audit(
                    "courier.\(verb)", target: "courier:\(id)",
                    before: before.map { $0.active ? "active" : "inactive" },
                    after: active ? "active" : "inactive", at: clock())
                let courier = try await courierCommand(id) {
                    try await couriers.setActive(courierID: id, active, audit: audit)
                }
                return try .json(CourierView(courier, for: call.identity, utcOffset: utcOffset))
            }
        }
        // Not idempotent: the answer carries a new secret, and a second call simply issues another (the first dies).
        api.on(
            .post, "/couriers/:id/api-token", roles: Self.admins, maxBody: 1024,
            doc: APIDoc(
                "A new app token for the courier (shown once); the old one stops working at once.",
                answer: .created("The token.", "CourierToken"),
                errors: [404])
        ) { call in
            let id = try call.parameter("id")
            let token = try await courierCommand(id) {
                try await couriers.reissueToken(
                    courierID: id,
                    audit: call.identity.audit(
                        "courier.token_reissue", target: "courier:\(id)", after: "new app token", at: clock()))
            }
            return try .json(CourierToken(courierId: id, apiToken: token), status: .created)
        }
        api.on(
            .delete, "/couriers/:id/api-token", roles: Self.admins,
            doc: APIDoc(
                "Revoke the courier's app token at once (until a new one is issued).",
                answer: .status(204, "Revoked."),
                errors: [404])
        ) { call in
            let id = try call.parameter("id")
            try await courierCommand(id) {
                try await couriers.revokeToken(
                    courierID: id,
                    audit: call.identity.audit(
                        "courier.token_revoke", target: "courier:\(id)", after: "no app token", at: clock()))
            }
            return .noContent
        }
        api.on(
            .post, "/courier/position", roles: [.courier], maxBody: 4096,
            doc: APIDoc(
                "The calling courier's position (a courier account, or a courier app's `dmc_` token); their deliveries' ETAs are refreshed.",
                body: .json("Position"),
                answer: .accepted("Accepted.", "PositionAccepted"))
        ) { call in
            let courierID = try await actingCourier(call).id
            let update = try APIJSON.decode(Position.self, from: call.body)
            let coordinate = Coordinate(latitude: update.latitude, longitude: update.longitude)
            guard coordinate.isValid else {
                throw APIError.badRequest("latitude must be -90…90 and longitude -180…180", code: "invalid_position")
            }
            let deliveries = try await engine.updatePosition(courierID: courierID, coordinate: coordinate)
            return try .json(PositionAccepted(courierId: courierID, deliveries: deliveries), status: .accepted)
        }
    }

    /// The courier a courier-role caller acts as, read again from the courier record: a courier account or app
    /// acts only while its courier is active (a deactivated courier's credentials stop at once).
    func actingCourier(_ call: APICall) async throws -> Courier {
        guard let id = call.identity.account.courierID, let courier = try await couriers.courier(id: id), courier.active
        else {
            throw APIError(
                status: .forbidden, code: "not_a_courier", message: "this account is not linked to an active courier")
        }
        return courier
    }

    /// Runs a roster command on courier `id`, answering 404 when there is no such courier.
    @discardableResult
    func courierCommand<T>(_ id: Int64, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch EngineError.courierNotFound {
            throw APIError.notFound("courier \(id)")
        }
    }
}
