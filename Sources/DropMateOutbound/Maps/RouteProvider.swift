import AsyncHTTPClient
import DropMateCore
import DropMateEngine
import DropMatePercentEncoding
import DropMateTelemetry
import Foundation
import NIOCore

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

    public init(
        http: HTTPClient, baseURL: String = "https://restapi.amap.com", key: String, telemetry: Telemetry = .disabled
    ) {
        self.http = http
        self.telemetry = telemetry
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.key = key
    }

    public func roadMetres(from origin: Coordinate, to destination: Coordinate) async throws -> Double {
        let query =
            "origin=\(Self.point(origin))&destination=\(Self.point(destination))&key=\(PercentEncoding.queryValue(key))&output=json"
        struct Answer: Decodable {
            struct Route: Decodable {
                struct Path: Decodable { var distance: String }
                var paths: [Path]?
            }
            var status: String
            var info: String?
            var route: Route?
        }
        let answer: Answer = try await MapHTTP.get(
            "\(baseURL)/v3/direction/driving?\(query)", http: http, provider: "Amap", span: "maps amap",
            telemetry: telemetry)
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

    public init(
        http: HTTPClient, baseURL: String = "https://apis.map.qq.com", key: String, telemetry: Telemetry = .disabled
    ) {
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
        let answer: Answer = try await MapHTTP.get(
            "\(baseURL)/ws/direction/v1/driving/?\(query)", http: http, provider: "Tencent LBS", span: "maps tencent",
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
    static func get<Answer: Decodable>(
        _ url: String, http: HTTPClient, provider: String, span: String, telemetry: Telemetry
    ) async throws -> Answer {
        let response: HTTPClientResponse
        do {
            response = try await telemetry.outbound(span, HTTPClientRequest(url: url)) {
                try await http.execute($0, timeout: .seconds(3))
            }
        } catch {
            // the error may quote the URL and its key
            throw RouteError(provider: provider, reason: "unreachable (\(type(of: error)))")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok, let answer = try? JSONDecoder().decode(Answer.self, from: Data(buffer: body))
        else {
            throw RouteError(provider: provider, reason: "HTTP \(response.status.code) or an unreadable answer")
        }
        return answer
    }
}
