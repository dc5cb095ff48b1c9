import DropMateCore
import Foundation

/// `/couriers`: add couriers, issue binding codes, see where they are; `/courier/position` for couriers' apps.
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

        init(_ courier: Courier, for identity: StaffIdentity) {
            id = courier.id
            name = courier.name
            phone = courier.phone.map { identity.account.role == .admin ? $0.digits : $0.masked }
            active = courier.active
            wechatBound = courier.openID != nil
            latitude = courier.position?.coordinate.latitude
            longitude = courier.position?.coordinate.longitude
            positionAt = APIJSON.time(courier.position?.at)
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

    func addCourierRoutes(_ api: APIRouter) {
        api.on(.get, "/couriers", roles: Self.office) { call in
            try .json(["items": try await couriers.all().map { CourierView($0, for: call.identity) }])
        }
        api.on(.post, "/couriers", roles: Self.office, idempotent: true, maxBody: 4096) { call in
            let request = try APIJSON.decode(NewCourier.self, from: call.body)
            let name = try Validate.text(request.name, field: "name", max: 40)
            var phone: PhoneNumber?
            if let text = request.phone {
                guard let parsed = PhoneNumber(text) else { throw APIError.badRequest("\"phone\" is not a mainland mobile number (11 digits starting 13–19)") }
                phone = parsed
            }
            let now = clock()
            let created = try await couriers.create(name: name, phone: phone, audit: call.identity.audit("courier.create", target: "courier", after: name, at: now))
            let code = try await couriers.issueBindingCode(courierID: created.courier.id)
            return try .json(CourierCreated(courier: CourierView(created.courier, for: call.identity), apiToken: created.apiToken, bindingCode: code,
                                            bindingCodeExpiresAt: APIJSON.time(now + 86_400)), status: .created)
        }
        api.on(.post, "/couriers/:id/binding-code", roles: Self.office, idempotent: true, maxBody: 1024) { call in
            let id = try call.parameter("id")
            let now = clock()
            do {
                let code = try await couriers.issueBindingCode(courierID: id, audit: call.identity.audit("courier.binding_code", target: "courier:\(id)", after: "new binding code", at: now))
                return try .json(BindingCode(code: code, expiresAt: APIJSON.time(now + 86_400)), status: .created)
            } catch EngineError.courierNotFound {
                throw APIError.notFound("courier \(id)")
            }
        }
        api.on(.post, "/courier/position", roles: [.courier], maxBody: 4096) { call in
            guard let courierID = call.identity.account.courierID else {
                throw APIError(status: .forbidden, code: "not_a_courier", message: "this account is not linked to a courier")
            }
            let update = try APIJSON.decode(Position.self, from: call.body)
            let coordinate = Coordinate(latitude: update.latitude, longitude: update.longitude)
            guard coordinate.isValid else { throw APIError.badRequest("latitude must be -90…90 and longitude -180…180", code: "invalid_position") }
            let deliveries = try await engine.updatePosition(courierID: courierID, coordinate: coordinate)
            return try .json(PositionAccepted(courierId: courierID, deliveries: deliveries), status: .accepted)
        }
    }
}
