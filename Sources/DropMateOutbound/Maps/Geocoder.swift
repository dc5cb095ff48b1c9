import DropMateCore
import DropMateEngine
import DropMatePercentEncoding
import Foundation

/// Several answers for one address: one place only when they all lie within this many metres of the first.
let geocodeAgreementMetres = 500.0

/// Amap (高德) geocoding: `GET /v3/geocode/geo?address=…&key=…`.
extension AmapRoutes: Geocoder {
    /// Amap's `level`s that name a point (a building, a house number, a place); the rest (国家, 省, 市, 区县, 开发区,
    /// 乡镇, 道路, 未知) cover too much ground to measure from.
    static let preciseLevels: Set<String> = ["兴趣点", "门牌号", "单元号", "楼栋", "道路交叉路口", "公交站台线路", "地铁站", "热点商圈", "村庄"]

    public func locate(_ address: String) async throws -> Coordinate? {
        let query = "address=\(PercentEncoding.queryValue(address))&key=\(PercentEncoding.queryValue(key))&output=json"
        struct Answer: Decodable {
            struct Place: Decodable {
                var location: String?
                var level: String?
            }
            var status: String
            var info: String?
            var geocodes: [Place]?
        }
        let answer: Answer = try await MapHTTP.get(
            "\(baseURL)/v3/geocode/geo?\(query)", http: http, provider: "Amap", span: "maps amap geocode",
            telemetry: telemetry)
        guard answer.status == "1" else {
            throw RouteError(provider: "Amap", reason: answer.info ?? "geocoding refused")
        }
        let places = (answer.geocodes ?? []).compactMap { place -> Coordinate? in
            guard let level = place.level, Self.preciseLevels.contains(level), let location = place.location else {
                return nil
            }
            // "lng,lat"
            let parts = location.split(separator: ",").compactMap { Double($0) }
            guard parts.count == 2 else { return nil }
            let coordinate = Coordinate(latitude: parts[1], longitude: parts[0])
            return coordinate.isValid ? coordinate : nil
        }
        return Coordinate.agreeing(places, count: answer.geocodes?.count ?? 0)
    }
}

/// Tencent LBS geocoding: `GET /ws/geocoder/v1/?address=…&key=…`.
extension TencentRoutes: Geocoder {
    /// Tencent's own advice: a result is reliable from `reliability` 7 and names a point from `level` 9.
    static let minimumReliability = 7
    static let minimumLevel = 9
    /// "查询无结果": no such address (an answer, not a failure).
    static let noResult = 347

    public func locate(_ address: String) async throws -> Coordinate? {
        let query = "address=\(PercentEncoding.queryValue(address))&key=\(PercentEncoding.queryValue(key))"
        struct Answer: Decodable {
            struct Result: Decodable {
                struct Location: Decodable { var lat: Double; var lng: Double }
                var location: Location?
                var reliability: Int?
                var level: Int?
            }
            var status: Int
            var message: String?
            var result: Result?
        }
        let answer: Answer = try await MapHTTP.get(
            "\(baseURL)/ws/geocoder/v1/?\(query)", http: http, provider: "Tencent LBS", span: "maps tencent geocode",
            telemetry: telemetry)
        if answer.status == Self.noResult { return nil }
        guard answer.status == 0 else {
            throw RouteError(provider: "Tencent LBS", reason: answer.message ?? "geocoding refused")
        }
        guard let result = answer.result, let location = result.location,
            (result.reliability ?? 0) >= Self.minimumReliability,
            (result.level ?? 0) >= Self.minimumLevel
        else { return nil }
        let coordinate = Coordinate(latitude: location.lat, longitude: location.lng)
        return coordinate.isValid ? coordinate : nil
    }
}

extension Coordinate {
    /// The place `places` agree on: the first, when every answer (`count` of them, precise or not) is precise and lies
    /// near it; nil when there is none or they disagree.
    static func agreeing(_ places: [Coordinate], count: Int) -> Coordinate? {
        guard let first = places.first, places.count == count else { return nil }
        return places.allSatisfy({ first.distance(to: $0) <= geocodeAgreementMetres }) ? first : nil
    }
}
