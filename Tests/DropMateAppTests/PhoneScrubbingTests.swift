import DropMateDataProtection
import Foundation
import Logging
import Testing

@testable import DropMateApp

/// The log handler's last line of defence: no full mainland mobile number reaches a log line.
@Suite struct PhoneScrubbingTests {
    @Test func aPhoneNumberInALogMessageComesOutMasked() throws {
        let logs = LogCapture()
        let logger = logs.logger()
        logger.info(
            "customer 13800138000 asked for a call",
            metadata: ["dropmate.phone": "+8613912345678", "dropmate.note": .array(["call 15000001111"])])
        let line = try #require(logs.all.first)
        #expect(line.contains("customer 138****8000 asked"))
        #expect(line.contains(#""dropmate.phone":"+86139****5678""#))
        #expect(line.contains("call 150****1111"))
        #expect(!line.contains("13800138000") && !line.contains("13912345678") && !line.contains("15000001111"))
        let text = LogCapture()
        text.logger(format: .text).warning("sms to 8613800138000 failed")
        #expect(text.all.first?.contains("sms to 86138****8000 failed") == true)
    }

    @Test func otherNumbersAreLeftAlone() {
        for text in [
            "order #1001", "msg 23800138000", "id 12800138000", "1380013800", "138001380001", "time 1764043200123",
            "¥36.00",
        ] {
            #expect(PIIMask.phones(in: text) == text, "\(text)")
        }
        #expect(PIIMask.phones(in: "13800138000") == "138****8000")
        #expect(PIIMask.phones(in: "电话13800138000，谢谢") == "电话138****8000，谢谢")
    }
}
