import Foundation
import Testing

@testable import DropMateApp

@Suite struct EventLoopPriorityTests {
    @Test func theEmbeddedDefaultRunsItsEventLoopsFiveBelowTheWriterAndPostgreSQLDoesNot() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dropmate-nice-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try AppConfig.load(environment: ["DROPMATE_DATA_DIR": directory]).eventLoopNice == 5)
        #expect(
            try AppConfig.load(environment: ["DROPMATE_DATA_DIR": directory, "DROPMATE_EVENT_LOOP_NICE": "0"])
                .eventLoopNice == 0)
        #expect(
            try AppConfig.load(environment: [
                "DROPMATE_DATA_DIR": directory, "DATABASE_URL": "postgres://u:p@localhost/db",
                "DROPMATE_PII_KEYS": TestAccount.piiKeys,
            ]).eventLoopNice == 0)
        for bad in ["-1", "20", "five"] {
            #expect {
                _ = try AppConfig.load(environment: ["DROPMATE_DATA_DIR": directory, "DROPMATE_EVENT_LOOP_NICE": bad])
            } throws: { error in "\(error)".contains("DROPMATE_EVENT_LOOP_NICE") }
        }
    }

    #if os(Linux)
    @Test func onlyTheCallingThreadIsLowered() async throws {
        let before = try #require(EventLoopPriority.currentThreadNice())
        let (lowered, after) = await withCheckedContinuation { continuation in
            let thread = Thread {
                let start = EventLoopPriority.currentThreadNice()
                let result = EventLoopPriority.lowerCurrentThread(by: 3)
                let end = EventLoopPriority.currentThreadNice()
                continuation.resume(
                    returning: ((try? result.get()) != nil, end.flatMap { end in start.map { end - $0 } }))
            }
            thread.start()
        }
        #expect(lowered)
        #expect(after == 3 || (before + 3 > 19 && after == 19 - before))
        #expect(EventLoopPriority.currentThreadNice() == before, "the test's own thread keeps its priority")
    }
    #endif
}
