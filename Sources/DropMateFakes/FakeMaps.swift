import Foundation
import Hummingbird
import Synchronization

/// Amap's and Tencent LBS's geocoding and driving-distance APIs as a real HTTP server on loopback, for tests and
/// transcripts: it places the addresses it was taught (exactly as typed, trimmed), answers "no result" for the rest,
/// and drives 1.3 times the straight line. A wrong key is refused as the real services refuse it.
public final class FakeMaps: Sendable {
    /// How precisely the fake claims to have placed an address.
    public enum Precision: Sendable {
        /// A building or house number: Amap `门牌号`, Tencent level 11, reliability 8.
        case point
        /// Only the city: Amap `市`, Tencent level 4, reliability 3.
        case city
    }

    public struct Place: Sendable {
        public var latitude: Double
        public var longitude: Double
        public var precision: Precision
    }

    private struct State {
        var places: [String: [Place]] = [:]
        var delay: Duration = .zero
        var geocodes = 0
        var routes = 0
    }

    private let state = Mutex(State())
    public let key: String

    public init(key: String = "fake-maps-key") { self.key = key }

    /// Teaches the fake an address (several calls for one address: an ambiguous one with several answers).
    public func place(_ address: String, latitude: Double, longitude: Double, precision: Precision = .point) {
        let place = Place(latitude: latitude, longitude: longitude, precision: precision)
        state.withLock { $0.places[Self.normalized(address), default: []].append(place) }
    }

    /// Every answer waits this long first (a slow map service).
    public func delay(by delay: Duration) { state.withLock { $0.delay = delay } }

    /// Geocoding requests that arrived.
    public var geocodes: Int { state.withLock { $0.geocodes } }
    /// Driving-distance requests that arrived.
    public var routes: Int { state.withLock { $0.routes } }

    static func normalized(_ address: String) -> String { address.trimmingCharacters(in: .whitespacesAndNewlines) }

    public var router: Router<BasicRequestContext> {
        let router = Router()
        router.get("/v3/geocode/geo") { request, _ -> Response in
            let (places, keyOK) = try await self.geocode(request)
            guard keyOK else { return Self.json(#"{"status":"0","info":"INVALID_USER_KEY","infocode":"10001"}"#) }
            let items = places.map { place in
                let level = place.precision == .point ? "门牌号" : "市"
                return
                    #"{"location":"\#(Self.decimal(place.longitude)),\#(Self.decimal(place.latitude))","level":"\#(level)","township":[]}"#
            }
            return Self.json(
                #"{"status":"1","info":"OK","infocode":"10000","count":"\#(items.count)","geocodes":[\#(items.joined(separator: ","))]}"#
            )
        }
        router.get("/ws/geocoder/v1/") { request, _ -> Response in
            let (places, keyOK) = try await self.geocode(request)
            guard keyOK else { return Self.json(#"{"status":311,"message":"key格式错误"}"#) }
            // Tencent answers one place, the best it has.
            guard let place = places.first else { return Self.json(#"{"status":347,"message":"查询无结果"}"#) }
            let (level, reliability) = place.precision == .point ? (11, 8) : (4, 3)
            return Self.json(
                #"{"status":0,"message":"query ok","result":{"location":{"lat":\#(place.latitude),"lng":\#(place.longitude)},"level":\#(level),"reliability":\#(reliability)}}"#
            )
        }
        router.get("/v3/direction/driving") { request, _ -> Response in
            let query = request.uri.queryParameters
            guard
                let metres = try await self.drive(
                    query.get("origin"), query.get("destination"), key: query.get("key"), latitudeFirst: false)
            else {
                return Self.json(#"{"status":"0","info":"INVALID_USER_KEY"}"#)
            }
            return Self.json(
                #"{"status":"1","info":"OK","route":{"paths":[{"distance":"\#(metres)","duration":"600"}]}}"#)
        }
        router.get("/ws/direction/v1/driving/") { request, _ -> Response in
            let query = request.uri.queryParameters
            guard
                let metres = try await self.drive(
                    query.get("from"), query.get("to"), key: query.get("key"), latitudeFirst: true)
            else {
                return Self.json(#"{"status":311,"message":"key格式错误"}"#)
            }
            return Self.json(
                #"{"status":0,"message":"query ok","result":{"routes":[{"distance":\#(metres),"duration":600}]}}"#)
        }
        return router
    }

    private func geocode(_ request: Request) async throws -> ([Place], Bool) {
        let query = request.uri.queryParameters
        let address = query.get("address").map { Self.normalized($0) } ?? ""
        let (places, delay) = state.withLock { state in
            state.geocodes += 1
            return (state.places[address] ?? [], state.delay)
        }
        if delay > .zero { try await Task.sleep(for: delay) }
        return (places, query.get("key") == key)
    }

    /// Whole metres of road between two "a,b" points, or nil for a wrong key.
    private func drive(_ from: String?, _ to: String?, key: String?, latitudeFirst: Bool) async throws -> Int? {
        let delay = state.withLock { state in
            state.routes += 1
            return state.delay
        }
        if delay > .zero { try await Task.sleep(for: delay) }
        guard key == self.key else { return nil }
        func point(_ text: String?) -> (Double, Double)? {
            let parts = (text ?? "").split(separator: ",").compactMap { Double($0) }
            guard parts.count == 2 else { return nil }
            return latitudeFirst ? (parts[0], parts[1]) : (parts[1], parts[0])
        }
        guard let a = point(from), let b = point(to) else { return 0 }
        return Int((Self.haversine(a, b) * 1.3).rounded())
    }

    static func haversine(_ a: (Double, Double), _ b: (Double, Double)) -> Double {
        let radians = Double.pi / 180
        let dLat = (b.0 - a.0) * radians, dLng = (b.1 - a.1) * radians
        let h = sin(dLat / 2) * sin(dLat / 2) + cos(a.0 * radians) * cos(b.0 * radians) * sin(dLng / 2) * sin(dLng / 2)
        return 2 * 6_371_000 * asin(min(1, sqrt(h)))
    }

    static func decimal(_ value: Double) -> String { String(format: "%.6f", value) }

    static func json(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
