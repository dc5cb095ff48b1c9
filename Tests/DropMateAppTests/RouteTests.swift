import AsyncHTTPClient
import DropMateCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import DropMateApp
@testable import DropMateEngine
@testable import DropMateOutbound

/// Road distances from Amap or Tencent LBS (fakes on loopback), with a deadline and the built-in estimate as fallback.
@Suite struct RouteTests {
    static let logger = Logger(label: "test")
    static let shop = Coordinate(latitude: 31.2304, longitude: 121.4737)
    static let home = Coordinate(latitude: 31.2400, longitude: 121.4900)

    static func fake(
        path: String, answer: String, delay: Duration = .zero, seen: SMSTests.Received
    ) -> Router<BasicRequestContext> {
        let router = Router()
        router.get(RouterPath(path)) { request, _ -> Response in
            seen.requests.withLock { $0.append((["query": request.uri.query ?? ""], "")) }
            if delay > .zero { try await Task.sleep(for: delay) }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        return router
    }

    /// A client of the test's own: the shared pool may hold a keep-alive connection to a port an earlier test's
    /// fake used, and a fake started later on the same port number must not inherit it.
    static func withOwnClient<T: Sendable>(_ body: (HTTPClient) async throws -> T) async throws -> T {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    @Test func amapGivesTheDrivingDistanceLongitudeFirst() async throws {
        let seen = SMSTests.Received()
        let metres = try await SMSTests.serve(
            Self.fake(
                path: "/v3/direction/driving",
                answer: #"{"status":"1","info":"OK","route":{"paths":[{"distance":"2450","duration":"600"}]}}"#,
                seen: seen)
        ) { url in
            try await Self.withOwnClient {
                try await AmapRoutes(http: $0, baseURL: url, key: "k").roadMetres(from: Self.shop, to: Self.home)
            }
        }
        #expect(metres == 2450)
        #expect(seen.requests.withLock { $0.first?.headers["query"] }?.contains("origin=121.473700,31.230400") == true)
    }

    @Test func tencentGivesTheDrivingDistanceLatitudeFirst() async throws {
        let seen = SMSTests.Received()
        let metres = try await SMSTests.serve(
            Self.fake(
                path: "/ws/direction/v1/driving",
                answer: #"{"status":0,"message":"query ok","result":{"routes":[{"distance":3100,"duration":700}]}}"#,
                seen: seen)
        ) { url in
            try await Self.withOwnClient {
                try await TencentRoutes(http: $0, baseURL: url, key: "k").roadMetres(from: Self.shop, to: Self.home)
            }
        }
        #expect(metres == 3100)
        #expect(seen.requests.withLock { $0.first?.headers["query"] }?.contains("from=31.230400,121.473700") == true)
    }

    @Test func aFailingOrSlowServiceFallsBackWithinTheDeadline() async throws {
        let refused = try await SMSTests.serve(
            Self.fake(
                path: "/v3/direction/driving", answer: #"{"status":"0","info":"INVALID_USER_KEY"}"#, seen: .init())
        ) { url in
            await RouteLookup(provider: AmapRoutes(http: .shared, baseURL: url, key: "bad"), logger: Self.logger)
                .roadMetres(from: Self.shop, to: Self.home)
        }
        #expect(refused == nil)
        let (slow, waited) = try await SMSTests.serve(
            Self.fake(
                path: "/v3/direction/driving", answer: #"{"status":"1","route":{"paths":[{"distance":"1"}]}}"#,
                delay: .seconds(3), seen: .init())
        ) { url in
            let started = ContinuousClock.now
            let metres = await RouteLookup(
                provider: AmapRoutes(http: .shared, baseURL: url, key: "k"), timeout: .milliseconds(200),
                logger: Self.logger
            ).roadMetres(from: Self.shop, to: Self.home)
            return (metres, ContinuousClock.now - started)
        }
        #expect(slow == nil)
        #expect(waited < .seconds(2), "the lookup gives up at its deadline, not when the service answers (3 s)")
    }

    @Test func theEstimateUsesTheMapsRoadDistanceWhenThereIsOne() {
        let merchant = DemoCatalog.catalog.merchants[0]
        var order = Order(
            id: 1, customer: "o_a", merchantID: merchant.id, lines: [],
            address: DeliveryAddress(text: "x", coordinate: Self.home),
            phone: PhoneNumber("13800138000")!, language: .zh, createdAt: 0)
        let estimator = ETAEstimator()
        let guessed = estimator.arrival(of: order, merchant: merchant, now: 0)!
        order.routeMetres = 30_000
        let measured = estimator.arrival(of: order, merchant: merchant, now: 0)!
        #expect(measured - guessed > 60 * 60, "30 km of road takes far longer than the straight-line guess")
    }

    @Test func mapsAreConfiguredWithAKey() throws {
        let base = ["WECHAT_TOKEN": "abc", "JWT_SECRET": TestAccount.jwtSecret]
        #expect(try AppConfig.load(environment: base).maps == nil)
        #expect(
            try AppConfig.load(environment: base.merging(["MAPS_PROVIDER": "amap", "MAPS_API_KEY": "k-secret"]) { $1 })
                .maps?.provider == "amap")
        #expect(throws: AppConfig.Problems.self) {
            try AppConfig.load(environment: base.merging(["MAPS_PROVIDER": "tencent"]) { $1 })
        }
        #expect(throws: AppConfig.Problems.self) {
            try AppConfig.load(environment: base.merging(["MAPS_PROVIDER": "google", "MAPS_API_KEY": "k"]) { $1 })
        }
    }
}
