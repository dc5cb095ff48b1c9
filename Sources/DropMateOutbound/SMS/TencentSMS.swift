import AsyncHTTPClient
import Crypto
import DropMateCivilTime
import DropMateDataProtection
import DropMateEngine
import DropMateTelemetry
import Foundation
import NIOCore

/// Tencent Cloud SMS (`SendSms`, API version 2021-01-11), signed with TC3-HMAC-SHA256.
///
/// Tencent sends only approved templates: the text goes in as the template's one parameter.
public struct TencentSMS: SMSProvider {
    let http: HTTPClient
    let baseURL: String
    let secretID: String
    let secretKey: String
    let appID: String
    let signName: String
    let templateID: String
    let region: String
    let clock: @Sendable () -> Int64
    /// A client span per send.
    public var telemetry: Telemetry = .disabled

    public init(
        http: HTTPClient, baseURL: String = "https://sms.tencentcloudapi.com", secretID: String, secretKey: String,
        appID: String, signName: String, templateID: String, region: String = "ap-guangzhou",
        clock: @escaping @Sendable () -> Int64
    ) {
        self.http = http
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.secretID = secretID
        self.secretKey = secretKey
        self.appID = appID
        self.signName = signName
        self.templateID = templateID
        self.region = region
        self.clock = clock
    }

    public func send(to phone: String, text: String) async throws {
        let body = try JSONSerialization.data(
            withJSONObject: [
                "PhoneNumberSet": [phone], "SmsSdkAppId": appID, "SignName": signName, "TemplateId": templateID,
                "TemplateParamSet": [text],
            ], options: [.sortedKeys, .withoutEscapingSlashes])
        let host = URL(string: baseURL)?.host ?? "sms.tencentcloudapi.com"
        let timestamp = clock()
        var request = HTTPClientRequest(url: baseURL + "/")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Host", value: host)
        request.headers.add(name: "X-TC-Action", value: "SendSms")
        request.headers.add(name: "X-TC-Version", value: "2021-01-11")
        request.headers.add(name: "X-TC-Timestamp", value: String(timestamp))
        request.headers.add(name: "X-TC-Region", value: region)
        request.headers.add(
            name: "Authorization",
            value: TC3Signer.authorization(
                secretID: secretID, secretKey: secretKey, service: "sms", host: host, contentType: "application/json",
                body: Array(body), timestamp: timestamp))
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do {
            response = try await telemetry.outbound("sms tencent", request) {
                try await http.execute($0, timeout: .seconds(5))
            }
        } catch {
            throw SMSError(provider: "Tencent", reason: "unreachable (\(type(of: error)))")
        }
        let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
        struct Answer: Decodable {
            struct Body: Decodable {
                struct Status: Decodable { var Code: String; var Message: String? }
                struct Failure: Decodable { var Code: String; var Message: String }
                var SendStatusSet: [Status]?
                var Error: Failure?
            }
            var Response: Body
        }
        guard response.status == .ok, let answer = try? JSONDecoder().decode(Answer.self, from: data) else {
            throw SMSError(provider: "Tencent", reason: "HTTP \(response.status.code)")
        }
        if let error = answer.Response.Error {
            throw SMSError(provider: "Tencent", reason: "\(error.Code): \(error.Message)")
        }
        guard let status = answer.Response.SendStatusSet?.first, status.Code == "Ok" else {
            let status = answer.Response.SendStatusSet?.first
            throw SMSError(provider: "Tencent", reason: "\(status?.Code ?? "no status"): \(status?.Message ?? "")")
        }
    }
}

/// Tencent Cloud's TC3-HMAC-SHA256 request signature (signed headers: content-type and host).
public enum TC3Signer {
    public static func authorization(
        secretID: String, secretKey: String, service: String, host: String, contentType: String,
        body: [UInt8], timestamp: Int64
    ) -> String {
        let date = utcDate(timestamp)
        let canonicalRequest =
            "POST\n/\n\ncontent-type:\(contentType)\nhost:\(host)\n\ncontent-type;host\n\(Hex.encode(SHA256.hash(data: body)))"
        let scope = "\(date)/\(service)/tc3_request"
        let stringToSign =
            "TC3-HMAC-SHA256\n\(timestamp)\n\(scope)\n\(Hex.encode(SHA256.hash(data: Array(canonicalRequest.utf8))))"
        func hmac(_ key: [UInt8], _ message: String) -> [UInt8] {
            Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key)))
        }
        let signingKey = hmac(hmac(hmac(Array("TC3\(secretKey)".utf8), date), service), "tc3_request")
        let signature = Hex.encode(hmac(signingKey, stringToSign))
        return
            "TC3-HMAC-SHA256 Credential=\(secretID)/\(scope), SignedHeaders=content-type;host, Signature=\(signature)"
    }

    /// `YYYY-MM-DD` of a Unix time, in UTC.
    static func utcDate(_ timestamp: Int64) -> String {
        CivilTime(timestamp).date.text
    }
}
