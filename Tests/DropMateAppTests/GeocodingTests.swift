import AsyncHTTPClient
import DropMateCore
import DropMateFakes
import Foundation
import Logging
import Testing

@testable import DropMateApp
@testable import DropMateEngine
@testable import DropMateOutbound

/// Typed addresses geocoded by Amap or Tencent LBS (a fake on loopback, `FakeMaps`): precise answers only, vague or
/// ambiguous ones taken as unknown, and a slow service never holding the webhook's reply past WeChat's window.
@Suite struct GeocodingTests {
    static let logger = Logger(label: "test")
    static let near = (latitude: 31.2439, longitude: 121.4737)

    @Test func amapAndTencentPlaceAPreciseAddressAndNotAVagueOrUnknownOne() async throws {
        let maps = FakeMaps()
        maps.place("黄浦区人民大道200号", latitude: Self.near.latitude, longitude: Self.near.longitude)
        maps.place("上海市", latitude: 31.2304, longitude: 121.4737, precision: .city)
        try await maps.serve { (url: String) async throws in
            try await RouteTests.withOwnClient { (http: HTTPClient) async throws in
                for service in [
                    AmapRoutes(http: http, baseURL: url, key: maps.key) as any Geocoder,
                    TencentRoutes(http: http, baseURL: url, key: maps.key),
                ] {
                    let placed = try await service.locate("黄浦区人民大道200号")
                    #expect(
                        placed.map {
                            abs($0.latitude - Self.near.latitude) < 1e-6
                                && abs($0.longitude - Self.near.longitude) < 1e-6
                        } == true, "\(service)")
                    #expect(try await service.locate("上海市") == nil, "only the city: too vague to measure (\(service))")
                    #expect(
                        try await service.locate("火星路1号") == nil, "not found is an answer, not a failure (\(service))")
                }
                await #expect(throws: RouteError.self) {
                    try await AmapRoutes(http: http, baseURL: url, key: "wrong").locate("黄浦区人民大道200号")
                }
                await #expect(throws: RouteError.self) {
                    try await TencentRoutes(http: http, baseURL: url, key: "wrong").locate("黄浦区人民大道200号")
                }
            }
        }
    }

    @Test func anAddressAmapPlacesInSeveralFarApartPlacesIsNotGuessed() async throws {
        let maps = FakeMaps()
        maps.place("人民路1号", latitude: 31.2439, longitude: 121.4737)
        maps.place("人民路1号", latitude: 39.9042, longitude: 116.4074)  // the same street name in Beijing
        maps.place("南京东路300号", latitude: 31.2400, longitude: 121.4800)
        maps.place("南京东路300号", latitude: 31.2401, longitude: 121.4801)  // two answers a few metres apart
        try await maps.serve { (url: String) async throws in
            try await RouteTests.withOwnClient { (http: HTTPClient) async throws in
                let amap = AmapRoutes(http: http, baseURL: url, key: maps.key)
                #expect(try await amap.locate("人民路1号") == nil)
                #expect(try await amap.locate("南京东路300号") != nil)
            }
        }
    }

    @Test func aSlowMapServiceLeavesTheDistanceUnknownAndTheReplyInTime() async throws {
        let maps = FakeMaps()
        maps.place("黄浦区人民大道200号", latitude: Self.near.latitude, longitude: Self.near.longitude)
        maps.delay(by: .seconds(8))
        try await maps.serve { (url: String) async throws in
            // The longest timeout the configuration allows: the turn's own budget still cuts it short.
            let app = try await TestApp.make(extra: [
                "MAPS_PROVIDER": "amap", "MAPS_API_KEY": maps.key, "MAPS_API_BASE_URL": url, "MAPS_TIMEOUT_MS": "4000",
            ])
            let engine = app.dependencies.engine
            _ = try await engine.handle(
                IncomingChat(
                    customer: "o_a", createTime: app.clock.now, dedupeKey: "1", input: .text("2份牛肉面 13800138000")))
            let started = ContinuousClock.now
            let reply = try await engine.handle(
                IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "2", input: .text("黄浦区人民大道200号"))
            ).reply
            let waited = ContinuousClock.now - started
            #expect(waited < .seconds(4), "answered within WeChat's window (waited \(waited))")
            guard case .text(let text)? = reply else {
                Issue.record("no passive reply: \(String(describing: reply))"); await app.shutdown(); return
            }
            #expect(text.contains("订单 #1001"), "the order is placed with the address unmeasured")
            let order = try #require(try await engine.order(id: 1001))
            #expect(order.distanceMetres == nil && order.address.coordinate == nil)
            #expect(maps.geocodes == 1)
            await app.shutdown()
        }
    }

    @Test func aGeocodedAddressIsMeasuredAndTheOrderKeepsItsDistance() async throws {
        let maps = FakeMaps()
        maps.place("黄浦区人民大道200号", latitude: Self.near.latitude, longitude: Self.near.longitude)
        try await maps.serve { (url: String) async throws in
            let app = try await TestApp.make(extra: [
                "MAPS_PROVIDER": "tencent", "MAPS_API_KEY": maps.key, "MAPS_API_BASE_URL": url,
            ])
            let engine = app.dependencies.engine
            _ = try await engine.handle(
                IncomingChat(
                    customer: "o_a", createTime: app.clock.now, dedupeKey: "1", input: .text("2份牛肉面 13800138000")))
            _ = try await engine.handle(
                IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "2", input: .text("黄浦区人民大道200号")))
            let order = try #require(try await engine.order(id: 1001))
            #expect(order.distanceMetres == 1501 && order.address.coordinate != nil)
            #expect(order.routeMetres == 1951, "the fake drives 1.3 times the straight line")
            await app.shutdown()
        }
    }
}
