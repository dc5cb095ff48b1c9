import AsyncHTTPClient
import DropMateEngine
import DropMatePercentEncoding
import DropMateTelemetry
import Foundation
import NIOCore

/// Twilio's Messages API (`POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic auth).
public struct TwilioSMS: SMSProvider {
    let http: HTTPClient
    let baseURL: String
    let accountSID: String
    let authToken: String
    let from: String
    /// A client span per send.
    public var telemetry: Telemetry = .disabled

    public init(
        http: HTTPClient, baseURL: String = "https://api.twilio.com", accountSID: String, authToken: String,
        from: String
    ) {
        self.http = http
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.accountSID = accountSID
        self.authToken = authToken
        self.from = from
    }

    public func send(to phone: String, text: String) async throws {
        var request = HTTPClientRequest(
            url: "\(baseURL)/2010-04-01/Accounts/\(PercentEncoding.pathSegment(accountSID))/Messages.json")
        request.method = .POST
        request.headers.add(
            name: "Authorization", value: "Basic " + Data("\(accountSID):\(authToken)".utf8).base64EncodedString())
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let form = [("To", phone), ("From", from), ("Body", text)].map { "\($0)=\(PercentEncoding.queryValue($1))" }
            .joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: form))
        let response: HTTPClientResponse
        do {
            response = try await telemetry.outbound("sms twilio", request) {
                try await http.execute($0, timeout: .seconds(5))
            }
        } catch {
            throw SMSError(provider: "Twilio", reason: "unreachable (\(type(of: error)))")
        }
        let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
        guard (200..<300).contains(response.status.code) else {
            struct Failure: Decodable { var code: Int?; var message: String? }
            let failure = try? JSONDecoder().decode(Failure.self, from: data)
            throw SMSError(
                provider: "Twilio",
                reason: "HTTP \(response.status.code)\(failure?.code.map { " \($0)" } ?? ""): \(failure?.message ?? "")"
            )
        }
    }
}
