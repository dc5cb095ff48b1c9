import DropMateCore
import Hummingbird

/// What a courier app calls: `POST /api/v1/courier/position` with the courier's API token as a Bearer token.
struct CourierAPIRoutes: Sendable {
    let engine: ConversationEngine
    let couriers: CourierRoster

    struct PositionUpdate: Decodable {
        var latitude: Double
        var longitude: Double
    }

    struct PositionAccepted: Encodable {
        var courierID: Int64
        /// Deliveries whose ETA will be refreshed.
        var deliveries: Int
    }

    func add(to router: Router<BasicRequestContext>) {
        router.post("/api/v1/courier/position") { request, _ in
            do {
                guard let token = Self.bearerToken(request), let courier = try await couriers.courier(apiToken: token) else { throw APIError.unauthorized }
                let update = try await JSONBody.decode(PositionUpdate.self, from: request, limit: 4096)
                let coordinate = Coordinate(latitude: update.latitude, longitude: update.longitude)
                guard coordinate.isValid else { throw APIError.badRequest("latitude must be -90…90 and longitude -180…180", code: "invalid_position") }
                let deliveries = try await engine.updatePosition(courierID: courier.id, coordinate: coordinate)
                return try JSONBody.response(PositionAccepted(courierID: courier.id, deliveries: deliveries), status: .accepted)
            } catch let error as APIError {
                return error.response
            }
        }
    }

    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        let token = header.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)
        return token.isEmpty || token.count > 200 ? nil : token
    }
}
