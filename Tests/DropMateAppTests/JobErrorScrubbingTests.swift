import DropMateCore
import DropMateDataProtection
import Foundation
import Hummingbird
import Logging
import Testing

@testable import DropMateApp
@testable import DropMateEngine
@testable import DropMateOutbound

/// Providers echo the recipient in their errors; a job's stored reason (`jobs.last_error`, shown at
/// `/api/v1/jobs/dead` and by `dropmate jobs dead`) carries no full phone number.
@Suite struct JobErrorScrubbingTests {
    @Test func phoneNumbersInFreeTextAreMaskedMainlandAndInternational() {
        #expect(
            PIIMask.phoneNumbers(in: "The 'To' number +14155550123 is not a valid phone number.")
                == "The 'To' number +141****0123 is not a valid phone number.")
        #expect(
            PIIMask.phoneNumbers(in: "+8613800138000 is in blacklist; 13900139000 too")
                == "+86138****8000 is in blacklist; 139****9000 too")
        #expect(
            PIIMask.phoneNumbers(in: "HTTP 400 21211: code +12, +1234567 and 1+1")
                == "HTTP 400 21211: code +12, +1234567 and 1+1",
            "error codes and short numbers stay")
        #expect(PIIMask.phoneNumbers(in: "+447700900123+33612345678") == "+447****0123+336****5678")
    }

    @Test func anInternationalNumberInALogLineComesOutMaskedToo() throws {
        let logs = LogCapture()
        logs.logger().warning(
            "SMS failed: The 'To' number +14155550123 is not valid", metadata: ["dropmate.error": "to +447700900123"])
        let line = try #require(logs.all.first)
        #expect(line.contains("+141****0123") && line.contains("+447****0123"), "\(line)")
        #expect(!line.contains("4155550123") && !line.contains("7700900123"), "\(line)")
        let text = LogCapture()
        text.logger(format: .text).warning("sms to +14155550123 failed")
        #expect(text.all.first?.contains("sms to +141****0123 failed") == true)
    }

    static func runDeadSMSJob(_ provider: any SMSProvider) async throws -> String {
        let app = try await TestApp.make()
        let worker = JobWorker(
            queue: app.dependencies.queue, engine: app.dependencies.engine,
            notifier: LogNotifier(logger: app.dependencies.logger),
            sms: provider, clock: { app.clock.now }, logger: app.dependencies.logger)
        var job = try SMSJob(phone: "+14155550123", text: "您的订单已送达").job(key: "sms-scrub", now: app.clock.now)
        job.maxAttempts = 1
        try await app.dependencies.queue.enqueue(job)
        #expect(try await worker.runDueJobs() == 1)
        let dead = try await app.dependencies.queue.deadJobs(limit: 5)
        await app.shutdown()
        return try #require(dead.first?.lastError)
    }

    @Test func aTwilioRefusalIsStoredWithoutTheNumbersItEchoes() async throws {
        let answer =
            #"{"code":21211,"message":"The 'To' number +14155550123 is not a valid phone number (from +8613800138000).","status":400}"#
        let reason = try await SMSTests.serve(
            SMSTests.fake(
                answer: answer, status: .badRequest, path: "/2010-04-01/Accounts/AC123/Messages.json",
                received: SMSTests.Received())
        ) { url in
            try await Self.runDeadSMSJob(
                TwilioSMS(http: .shared, baseURL: url, accountSID: "AC123", authToken: "tok", from: "+15005550006"))
        }
        #expect(reason.contains("Twilio") && reason.contains("21211") && reason.contains("+141****0123"), "\(reason)")
        #expect(!reason.contains("4155550123") && !reason.contains("13800138000"), "\(reason)")
    }

    @Test func aTencentRefusalIsStoredWithoutTheNumberItEchoes() async throws {
        let refused =
            #"{"Response":{"SendStatusSet":[{"Code":"FailedOperation.PhoneNumberInBlacklist","Message":"+8613800138000 is in the blacklist","PhoneNumber":"+8613800138000"}],"RequestId":"r1"}}"#
        let reason = try await SMSTests.serve(SMSTests.fake(answer: refused, path: "/", received: SMSTests.Received()))
        { url in
            try await Self.runDeadSMSJob(SMSTests.tencent(url))
        }
        #expect(reason.contains("PhoneNumberInBlacklist") && !reason.contains("13800138000"), "\(reason)")
    }
}
