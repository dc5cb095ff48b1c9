import DropMateCore
import DropMateDataProtection
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import DropMateApp
@testable import DropMateEngine
@testable import DropMateOutbound

/// SMS through Tencent Cloud (TC3 signed), Twilio, or the log; fakes of both APIs run on loopback.
@Suite struct SMSTests {
    /// Computed with Tencent's own Python SDK (tencentcloud-sdk-python-common 3.1.195, `_build_req_with_tc3_signature`)
    /// for these inputs: an independent implementation of the signature.
    @Test func theTC3SignatureMatchesTencentsSDK() {
        let body =
            #"{"PhoneNumberSet": ["+8613800138000"], "SmsSdkAppId": "1400000000", "SignName": "DropMate", "TemplateId": "123456", "TemplateParamSet": ["\u8ba2\u5355 #1001 \u5df2\u9001\u8fbe"]}"#
        let authorization = TC3Signer.authorization(
            secretID: "AKIDEXAMPLEdropmate0000000000000000", secretKey: "secretkeyEXAMPLEdropmate00000000",
            service: "sms",
            host: "sms.tencentcloudapi.com", contentType: "application/json", body: Array(body.utf8),
            timestamp: 1_764_028_800)
        #expect(
            authorization
                == "TC3-HMAC-SHA256 Credential=AKIDEXAMPLEdropmate0000000000000000/2025-11-25/sms/tc3_request, "
                + "SignedHeaders=content-type;host, Signature=130e53e9fbf520192409545917f817f7ef83149a2947d1a2186df0bb90db72ad"
        )
    }

    @Test func signingDatesAreUTCDays() {
        #expect(TC3Signer.utcDate(0) == "1970-01-01")
        #expect(TC3Signer.utcDate(951_782_400) == "2000-02-29")
        #expect(TC3Signer.utcDate(1_764_028_799) == "2025-11-24")
    }

    @Test func phoneNumbersAreMaskedForLogs() {
        // One masking rule for every log line (PIIMask.phone); SMS kept a second copy that trapped on 7 characters.
        #expect(PIIMask.phone("+8613800138000") == "138****8000")
        #expect(PIIMask.phone("13800138000") == "138****8000")
        #expect(PIIMask.phone("+14155550123") == "141****0123")
        #expect(!PIIMask.phone("1234567").contains("12345"))
    }

    /// Serves `router` on loopback while `body` runs with its base URL.
    static func serve<T: Sendable>(
        _ router: Router<BasicRequestContext>, _ body: @escaping @Sendable (String) async throws -> T
    ) async throws -> T {
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            .test(.live) { client in try await body("http://127.0.0.1:\(client.port!)") }
    }

    final class Received: Sendable {
        let requests = Mutex<[(headers: [String: String], body: String)]>([])
    }

    static func fake(
        answer: String, status: HTTPResponse.Status = .ok, path: String, received: Received
    ) -> Router<BasicRequestContext> {
        let router = Router()
        router.post(RouterPath(path)) { request, _ -> Response in
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let body = String(buffer: try await request.body.collect(upTo: 1 << 16))
            received.requests.withLock { $0.append((headers, body)) }
            return Response(
                status: status, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        return router
    }

    static func tencent(_ url: String) -> TencentSMS {
        TencentSMS(
            http: .shared, baseURL: url, secretID: "AKIDtest", secretKey: "secret", appID: "1400000000",
            signName: "DropMate", templateID: "123456",
            clock: { 1_764_028_800 })
    }

    @Test func tencentSendsASignedSendSmsRequest() async throws {
        let received = Received()
        let ok =
            #"{"Response":{"SendStatusSet":[{"Code":"Ok","Message":"send success","PhoneNumber":"+8613800138000"}],"RequestId":"r1"}}"#
        try await Self.serve(Self.fake(answer: ok, path: "/", received: received)) { url in
            try await Self.tencent(url).send(to: "+8613800138000", text: "订单 #1001 已送达")
        }
        let request = try #require(received.requests.withLock { $0.first })
        #expect(request.headers["x-tc-action"] == "SendSms" && request.headers["x-tc-version"] == "2021-01-11")
        #expect(
            request.headers["authorization"]?.hasPrefix(
                "TC3-HMAC-SHA256 Credential=AKIDtest/2025-11-25/sms/tc3_request, SignedHeaders=content-type;host, Signature="
            ) == true)
        let json = try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any]
        #expect(
            json?["PhoneNumberSet"] as? [String] == ["+8613800138000"]
                && json?["TemplateParamSet"] as? [String] == ["订单 #1001 已送达"])
        #expect(json?["SignName"] as? String == "DropMate" && json?["SmsSdkAppId"] as? String == "1400000000")
    }

    @Test func tencentRefusalsAreErrorsWithTheirCode() async throws {
        let refused =
            #"{"Response":{"SendStatusSet":[{"Code":"LimitExceeded.PhoneNumberDailyLimit","Message":"daily limit"}],"RequestId":"r2"}}"#
        let broken =
            #"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad signature"},"RequestId":"r3"}}"#
        for (answer, code) in [
            (refused, "LimitExceeded.PhoneNumberDailyLimit"), (broken, "AuthFailure.SignatureFailure"),
        ] {
            try await Self.serve(Self.fake(answer: answer, path: "/", received: Received())) { url in
                do {
                    try await Self.tencent(url).send(to: "+8613800138000", text: "hi")
                    Issue.record("expected a refusal")
                } catch let error as SMSError {
                    #expect(error.reason.hasPrefix(code), "\(error)")
                    #expect(!error.description.contains("13800138000"))
                }
            }
        }
    }

    @Test func twilioPostsAFormWithBasicAuth() async throws {
        let received = Received()
        try await Self.serve(
            Self.fake(
                answer: #"{"sid":"SM1","status":"queued"}"#, status: .created,
                path: "/2010-04-01/Accounts/AC123/Messages.json", received: received)
        ) { url in
            try await TwilioSMS(
                http: .shared, baseURL: url, accountSID: "AC123", authToken: "tok", from: "+15005550006"
            ).send(to: "+8613800138000", text: "Order #1001 delivered & paid")
        }
        let request = try #require(received.requests.withLock { $0.first })
        #expect(request.headers["authorization"] == "Basic " + Data("AC123:tok".utf8).base64EncodedString())
        #expect(request.body == "To=%2B8613800138000&From=%2B15005550006&Body=Order%20%231001%20delivered%20%26%20paid")
    }

    @Test func twilioErrorsCarryTheirCode() async throws {
        let answer = #"{"code":21211,"message":"The 'To' number is not a valid phone number.","status":400}"#
        try await Self.serve(
            Self.fake(
                answer: answer, status: .badRequest, path: "/2010-04-01/Accounts/AC123/Messages.json",
                received: Received())
        ) { url in
            await #expect(throws: SMSError.self) {
                try await TwilioSMS(
                    http: .shared, baseURL: url, accountSID: "AC123", authToken: "tok", from: "+15005550006"
                ).send(to: "+861", text: "x")
            }
        }
    }

    final class Recording: SMSProvider {
        let sent = Mutex<[String]>([])
        func send(to phone: String, text: String) async throws { sent.withLock { $0.append("\(phone) \(text)") } }
    }

    @Test func eachRecipientGetsAtMostFiveMessagesAnHour() async throws {
        let clock = TestClock(3600 * 100)
        let recording = Recording()
        let limited = RateLimitedSMS(recording, clock: { clock.now })
        for index in 1...5 { try await limited.send(to: "+8613800138000", text: "\(index)") }
        await #expect(throws: SMSError.self) { try await limited.send(to: "+8613800138000", text: "6") }
        try await limited.send(to: "+8613900139000", text: "someone else")
        clock.advance(3600)
        try await limited.send(to: "+8613800138000", text: "next hour")
        #expect(recording.sent.withLock { $0.count } == 7)
    }

    @Test func smsJobsRunThroughTheWorkerAndBadOnesDieAtOnce() async throws {
        let app = try await TestApp.make()
        let recording = Recording()
        let worker = JobWorker(
            queue: app.dependencies.queue, engine: app.dependencies.engine,
            notifier: LogNotifier(logger: app.dependencies.logger),
            sms: recording, clock: { app.clock.now }, logger: app.dependencies.logger)
        try await app.dependencies.queue.enqueue(
            try SMSJob(phone: "+8613800138000", text: "骑手已取餐").job(key: "s1", now: app.clock.now))
        try await app.dependencies.queue.enqueue(
            NewJob(
                kind: SMSJob.kind, payload: #"{"phone":"13800138000","text":"no country code"}"#, runAt: app.clock.now))
        #expect(try await worker.runDueJobs() == 2)
        #expect(recording.sent.withLock { $0 } == ["+8613800138000 骑手已取餐"])
        let dead = try await app.dependencies.queue.deadJobs(limit: 5)
        #expect(dead.count == 1 && dead[0].attempts == 1 && dead[0].lastError?.contains("E.164") == true)
        await app.shutdown()
    }

    @Test func providersAreConfiguredWithEverythingTheyNeedAndKeysStayOutOfLogs() throws {
        let base = ["WECHAT_TOKEN": "abc", "JWT_SECRET": TestAccount.jwtSecret]
        #expect(try AppConfig.load(environment: base).sms.provider == .log)
        do {
            _ = try AppConfig.load(
                environment: base.merging(["SMS_PROVIDER": "tencent", "SMS_PROVIDER_KEY": "k-very-secret"]) { $1 })
            Issue.record("expected problems")
        } catch let problems as AppConfig.Problems {
            #expect(
                Set(problems.problems.map(\.variable)) == [
                    "SMS_PROVIDER_ID", "SMS_SENDER", "SMS_SIGN_NAME", "SMS_TEMPLATE_ID",
                ])
        }
        let twilio = try AppConfig.load(
            environment: base.merging([
                "SMS_PROVIDER": "twilio", "SMS_PROVIDER_ID": "AC1", "SMS_PROVIDER_KEY": "k-very-secret",
                "SMS_SENDER": "+15005550006",
            ]) { $1 })
        #expect(twilio.sms.provider == .twilio && !"\(twilio)".contains("k-very-secret"))
        #expect(throws: AppConfig.Problems.self) {
            try AppConfig.load(environment: base.merging(["SMS_PROVIDER": "carrier-pigeon"]) { $1 })
        }
    }
}
