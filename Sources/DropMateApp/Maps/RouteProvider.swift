import AsyncHTTPClient
import DropMateCore
import DropMatePercentEncoding
import Foundation
import Logging
import NIOCore

/// Road distance between two points from a map service.
public protocol RouteProvider: Sendable {
    func roadMetres(from origin: Coordinate, to destination: Coordinate) async throws -> Double
}

/// A map service's failure (never carries the key).
public struct RouteError: Error, Sendable, Equatable, CustomStringConvertible {
    public var provider: String
    public var reason: String
    public var description: String { "\(provider) route failed: \(reason)" }
}

/// Amap (高德) driving directions: `GET /v3/direction/driving?origin=lng,lat&destination=lng,lat&key=…`.
public struct AmapRoutes: RouteProvider {
    let http: HTTPClient
    let baseURL: String
    let key: String
    let telemetry: Telemetry

    public init(http: HTTPClient = WeChatAPI.sharedClient, baseURL: String = "https://restapi.amap.com", key: String, telemetry: Telemetry = .disabled) {
        self.http = http
        self.telemetry = telemetry
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.key = key
    }

    public func roadMetres(from origin: Coordinate, to destination: Coordinate) async throws -> Double {
        let query = "origin=\(Self.point(origin))&destination=\(Self.point(destination))&key=\(PercentEncoding.queryValue(key))&output=json"
        struct Answer: Decodable {
            struct Route: Decodable {
                struct Path: Decodable { var distance: String }
                var paths: [Path]?
            }
            var status: String
            var info: String?
            var route: Route?
        }
        let answer: Answer = try await MapHTTP.get("\(baseURL)/v3/direction/driving?\(query)", http: http, provider: "Amap", span: "maps amap", telemetry: telemetry)
        guard answer.status == "1", let text = answer.route?.paths?.first?.distance, let metres = Double(text) else {
            throw RouteError(provider: "Amap", reason: answer.info ?? "no route")
        }
        return metres
    }

    /// Amap wants longitude first, six decimals.
    static func point(_ coordinate: Coordinate) -> String {
        String(format: "%.6f,%.6f", coordinate.longitude, coordinate.latitude)
    }
}

/// Tencent LBS driving directions: `GET /ws/direction/v1/driving/?from=lat,lng&to=lat,lng&key=…`.
public struct TencentRoutes: RouteProvider {
    let http: HTTPClient
    let baseURL: String
    let key: String
    let telemetry: Telemetry

    public init(http: HTTPClient = WeChatAPI.sharedClient, baseURL: String = "https://apis.map.qq.com", key: String, telemetry: Telemetry = .disabled) {
        self.http = http
        self.telemetry = telemetry
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.key = key
    }

    public func roadMetres(from origin: Coordinate, to destination: Coordinate) async throws -> Double {
        let query = "from=\(Self.point(origin))&to=\(Self.point(destination))&key=\(PercentEncoding.queryValue(key))"
        struct Answer: Decodable {
            struct Result: Decodable {
                struct Route: Decodable { var distance: Double }
                var routes: [Route]?
            }
            var status: Int
            var message: String?
            var result: Result?
        }
        let answer: Answer = try await MapHTTP.get("\(baseURL)/ws/direction/v1/driving/?\(query)", http: http, provider: "Tencent LBS", span: "maps tencent",
                                                   telemetry: telemetry)
        guard answer.status == 0, let metres = answer.result?.routes?.first?.distance else {
            throw RouteError(provider: "Tencent LBS", reason: answer.message ?? "no route")
        }
        return metres
    }

    /// Tencent wants latitude first.
    static func point(_ coordinate: Coordinate) -> String {
        String(format: "%.6f,%.6f", coordinate.latitude, coordinate.longitude)
    }
}

enum MapHTTP {
    static func get<Answer: Decodable>(_ url: String, http: HTTPClient, provider: String, span: String, telemetry: Telemetry) async throws -> Answer {
        let response: HTTPClientResponse
        do { response = try await telemetry.outbound(span, HTTPClientRequest(url: url)) { try await http.execute($0, timeout: .seconds(3)) } } catch {
            throw RouteError(provider: provider, reason: "unreachable (\(type(of: error)))")  // the error may quote the URL and its key
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok, let answer = try? JSONDecoder().decode(Answer.self, from: Data(buffer: body)) else {
            throw RouteError(provider: provider, reason: "HTTP \(response.status.code) or an unreadable answer")
        }
        return answer
    }
}

/// Asks the configured map service with a deadline; on failure or timeout the caller keeps the built-in estimate
/// (a road distance) or takes the address unmeasured (a geocode).
public struct RouteLookup: Sendable {
    let provider: any RouteProvider
    /// Places typed addresses (nil: typed addresses stay unmeasured).
    let geocoder: (any Geocoder)?
    let timeout: Duration
    let logger: Logger

    /// The most one conversation turn spends waiting for map services, geocode and road distance together: the reply
    /// is due within WeChat's 5 s, and the engine's own deadline (4 s) must still have room for the rest of the turn.
    public static let turnBudget: Duration = .milliseconds(2_500)

    public init(provider: any RouteProvider, geocoder: (any Geocoder)? = nil, timeout: Duration = .milliseconds(800), logger: Logger) {
        self.provider = provider
        self.geocoder = geocoder
        self.timeout = timeout
        self.logger = logger
    }

    /// Road metres, or nil when the service failed or took longer than `timeout` (or than `deadline`, when sooner).
    public func roadMetres(from origin: Coordinate, to destination: Coordinate, deadline: ContinuousClock.Instant? = nil) async -> Double? {
        let provider = provider
        let result = await Self.within(wait(until: deadline)) { try await provider.roadMetres(from: origin, to: destination) }
        switch result {
        case .answered(let metres): return metres
        case .failed: logger.notice("map service failed; using the built-in estimate"); return nil
        case .tooSlow: logger.notice("map service too slow; using the built-in estimate"); return nil
        }
    }

    /// Where the typed address is, or nil when no geocoder is configured, it found nothing precise enough, failed or
    /// took longer than `timeout` (or than `deadline`). The address is never logged: it is personal data.
    public func locate(_ address: String, deadline: ContinuousClock.Instant? = nil) async -> Coordinate? {
        guard let geocoder else { return nil }
        let result = await Self.within(wait(until: deadline)) { try await geocoder.locate(address) }
        switch result {
        case .answered(let coordinate?): return coordinate
        case .answered(nil): logger.info("map service could not place an address; its distance is unknown"); return nil
        case .failed: logger.notice("map service failed to geocode; the distance is unknown"); return nil
        case .tooSlow: logger.notice("map service too slow to geocode; the distance is unknown"); return nil
        }
    }

    /// The configured timeout, cut short by `deadline`.
    func wait(until deadline: ContinuousClock.Instant?) -> Duration {
        guard let deadline else { return timeout }
        return max(.zero, min(timeout, deadline - ContinuousClock.now))
    }

    enum Lookup<Value: Sendable>: Sendable {
        case answered(Value)
        case failed
        case tooSlow
    }

    /// Runs `work` against a deadline `timeout` away; whichever ends first wins and the other is cancelled.
    static func within<Value: Sendable>(_ timeout: Duration, _ work: @escaping @Sendable () async throws -> Value) async -> Lookup<Value> {
        guard timeout > .zero else { return .tooSlow }
        return await withTaskGroup(of: Lookup<Value>.self) { group in
            group.addTask {
                do { return .answered(try await work()) } catch { return .failed }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .tooSlow
            }
            let first = await group.next() ?? .tooSlow
            group.cancelAll()
            return first
        }
    }
}
