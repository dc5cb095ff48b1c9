import DropMateCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DropMateApp

/// The board and the daily report page speak one language, as every other page: `?lang`, else `Accept-Language`.
@Suite struct OneLanguagePageTests {
    @Test func theBoardSpeaksTheBrowsersLanguageOrTheOneAskedFor() async throws {
        let app = try await TestApp.make()
        try await app.live { (client: any TestClientProtocol) async throws in
            let chinese = String(buffer: try await client.execute(uri: "/board", method: .get).body)
            #expect(
                chinese.contains("留言板") && chinese.contains("还没有留言") && !chinese.contains("Message board")
                    && !chinese.contains("No posts"))
            let english = String(
                buffer: try await client.execute(
                    uri: "/board", method: .get, headers: [.acceptLanguage: "en-US,en;q=0.9"]
                ).body)
            #expect(
                english.contains("Message board") && english.contains("No posts yet") && !english.contains("留言板")
                    && english.contains("lang=\"en\""))
            let asked = String(
                buffer: try await client.execute(uri: "/board?lang=zh", method: .get, headers: [.acceptLanguage: "en"])
                    .body)
            #expect(asked.contains("留言板") && !asked.contains("Message board"))
        }
    }

    @Test func theReportPageSpeaksOneLanguage() async throws {
        let app = try await TestApp.make(clock: TestClock(ReportTests.morningAfter))
        _ = try await ReportTests.subscribe(app)
        try await ReportTests.seed(app, [ReportTests.order(7001, placed: ReportTests.local(24, 12, 0))])
        try await ReportTests.enqueue(app)
        try await ReportTests.drain(app)
        guard case .text(let text) = try #require(try await ReportTests.reportNotices(app).first).message else {
            Issue.record("no text notice"); return
        }
        let link = try #require(text.split(separator: "\n").last.map(String.init))
        let url = try #require(URL(string: link))
        try await app.live { (client: any TestClientProtocol) async throws in
            let path = url.path + "?" + url.query!
            let chinese = String(buffer: try await client.execute(uri: path, method: .get).body)
            #expect(chinese.contains("营业额") && !chinese.contains("Revenue") && !chinese.contains("Daily report"))
            let english = String(buffer: try await client.execute(uri: path + "&lang=en", method: .get).body)
            #expect(
                english.contains("Revenue") && english.contains("Daily report") && !english.contains("营业额")
                    && !english.contains("日报"))
            let browser = String(
                buffer: try await client.execute(uri: path, method: .get, headers: [.acceptLanguage: "en"]).body)
            #expect(browser.contains("Revenue") && !browser.contains("营业额"))
            let forged = try await client.execute(uri: url.path + "?exp=9999999999&sig=00&lang=en", method: .get)
            #expect(
                forged.status == .forbidden && String(buffer: forged.body).contains("This link is not valid")
                    && !String(buffer: forged.body).contains("链接无效"))
        }
    }
}
