import DropMateCivilTime
import DropMateCore
import Foundation
import Hummingbird

/// The API's error body, the same for every endpoint: `{"error": {"code": "…", "message": "…"}}`.
/// Messages say what is wrong with the request; they never carry stack traces, SQL or secrets.
struct APIError: Error, Sendable, HTTPResponseError {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    /// Seconds after which trying again makes sense (`Retry-After`), for 429 and 503.
    var retryAfter: Int? = nil
    /// `WWW-Authenticate` of a 401: which scheme, and why the credential was refused.
    var authenticate: String? = nil

    static func badRequest(_ message: String, code: String = "invalid_request") -> APIError {
        APIError(status: .badRequest, code: code, message: message)
    }
    static func notFound(_ what: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: "\(what) does not exist")
    }
    static func conflict(_ message: String, code: String = "conflict") -> APIError {
        APIError(status: .conflict, code: code, message: message)
    }
    static let unauthorized = APIError(
        status: .unauthorized, code: "unauthorized", message: "missing or invalid credentials",
        authenticate: #"Bearer realm="dropmate""#)
    /// A genuine access token past its expiry (RFC 6750 §3.1): refresh it (`POST /auth/refresh`) or log in again.
    static let tokenExpired = APIError(
        status: .unauthorized, code: "token_expired",
        message: "the access token expired; get a new one with POST /api/v1/auth/refresh or log in again",
        authenticate: #"Bearer realm="dropmate", error="invalid_token", error_description="the access token expired""#)
    static let forbidden = APIError(status: .forbidden, code: "forbidden", message: "your role may not do this")
    static let tooLarge = APIError(
        status: .contentTooLarge, code: "body_too_large", message: "the request body is too large")
    static let internalError = APIError(
        status: .internalServerError, code: "internal", message: "something went wrong on our side; it has been logged")

    var body: Data {
        (try? JSONSerialization.data(
            withJSONObject: ["error": ["code": code, "message": message]], options: [.sortedKeys])) ?? Data()
    }

    func response(from request: Request, context: some RequestContext) throws -> Response { response }

    var response: Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let retryAfter { headers[.retryAfter] = "\(retryAfter)" }
        if let authenticate { headers[.wwwAuthenticate] = authenticate }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// A JSON answer, kept as bytes so an idempotent write can replay it exactly.
struct APIResponse: Sendable {
    var status: HTTPResponse.Status
    var body: Data
    var contentType = "application/json; charset=utf-8"
    /// More header fields (the docs page's Content-Security-Policy).
    var headers: HTTPFields = [:]

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> APIResponse {
        APIResponse(status: status, body: try APIJSON.encoder.encode(value))
    }

    var response: Response {
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// 204: done, nothing to say.
    static let noContent = APIResponse(status: .noContent, body: Data())
}

/// JSON as the API speaks it: snake_case keys, sorted, times as ISO 8601 strings in the business time zone with its offset.
enum APIJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    /// Decodes a request body, or throws an `APIError` that says what is wrong.
    static func decode<T: Decodable>(_ type: T.Type, from body: ByteBuffer) throws -> T {
        guard body.readableBytes > 0 else { throw APIError.badRequest("a JSON body is required") }
        do {
            return try decoder.decode(T.self, from: Data(body.readableBytesView))
        } catch DecodingError.keyNotFound(let key, _) {
            throw APIError.badRequest("missing field \"\(snake(key.stringValue))\"")
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            throw APIError.badRequest(
                "wrong type for \"\(context.codingPath.map { snake($0.stringValue) }.joined(separator: "."))\"")
        } catch DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty {
            throw APIError.badRequest(
                "invalid value for \"\(context.codingPath.map { snake($0.stringValue) }.joined(separator: "."))\"")
        } catch {
            throw APIError.badRequest("the body is not valid JSON")
        }
    }

    static func snake(_ name: String) -> String {
        var out = ""
        for character in name {
            if character.isUppercase, !out.isEmpty, out.last != "_" { out.append("_") }
            out.append(contentsOf: character.lowercased())
        }
        return out
    }

    /// A time as the API shows it: in the business time zone with its offset, "2026-11-25T12:00:00+08:00"
    /// (`utcOffset` seconds east of UTC; "Z" when it is 0). Staff read the shop's own clock; the offset keeps it exact.
    static func time(_ unix: Int64?, utcOffset: Int) -> String? {
        guard let unix else { return nil }
        let local = CivilTime(unix + Int64(utcOffset))
        let zone: String
        if utcOffset == 0 {
            zone = "Z"
        } else {
            let minutes = abs(utcOffset) / 60
            zone = (utcOffset < 0 ? "-" : "+") + two(minutes / 60) + ":" + two(minutes % 60)
        }
        return
            "\(local.year)-\(two(local.month))-\(two(local.day))T\(two(local.hour)):\(two(local.minute)):\(two(local.second))\(zone)"
    }

    private static func two(_ value: Int) -> String { CivilTime.two(value) }

    /// A time a client sends: ISO 8601 with "Z" or an offset ("2026-12-05T07:30:00Z" and "2026-12-05T15:30:00+08:00"
    /// are the same instant), or a date (midnight in the business time zone, `utcOffset` seconds east).
    static func parseTime(_ text: String, utcOffset: Int) -> Int64? {
        guard text.count <= 40 else { return nil }
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = ISO8601DateFormatter().date(from: text) ?? withFraction.date(from: text) {
            return Int64(date.timeIntervalSince1970.rounded(.down))
        }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, text.count == 10, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else {
            return nil
        }
        var components = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        components.timeZone = TimeZone(secondsFromGMT: utcOffset)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: utcOffset)!
        return calendar.date(from: components).map { Int64($0.timeIntervalSince1970) }
    }
}

/// Text checks shared by every endpoint.
enum Validate {
    /// Trimmed, 1…`max` characters, no control characters.
    static func text(_ value: String, field: String, max: Int) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw APIError.badRequest("\"\(field)\" must not be empty") }
        guard trimmed.count <= max else { throw APIError.badRequest("\"\(field)\" must be at most \(max) characters") }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" })
        else {
            throw APIError.badRequest("\"\(field)\" contains control characters")
        }
        return trimmed
    }

    static func id(_ text: String?, field: String = "id") throws -> Int64 {
        guard let text, let value = Int64(text), value > 0 else {
            throw APIError.badRequest("\"\(field)\" must be a positive whole number")
        }
        return value
    }
}
