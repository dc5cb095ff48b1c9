import Crypto
import DropMateCore
import DropMateStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// Every page is built through the one escaping writer (`HTML`) and carries the browser security headers.
@Suite struct PageSecurityTests {
    static let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'"

    static func expectSecurityHeaders(
        _ response: TestResponse, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let policy = response.headers[.contentSecurityPolicy] ?? ""
        #expect(
            response.headers[.contentType]?.hasPrefix("text/html") == true, "\(what) is a page",
            sourceLocation: sourceLocation)
        #expect(
            policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'")
                && !policy.contains("script-src")
                && !policy.contains("unsafe-inline"), "\(what): \(policy)", sourceLocation: sourceLocation)
        #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(what)", sourceLocation: sourceLocation)
        #expect(
            response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY", "\(what)", sourceLocation: sourceLocation)
        #expect(
            response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", "\(what)",
            sourceLocation: sourceLocation)
    }

    static func expectNoMarkupFromOutside(
        _ html: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(!html.contains("<script") && !html.contains("<img src=x"), "\(what)", sourceLocation: sourceLocation)
    }

    @Test func theWriterEscapesEveryInterpolatedValueAndKeepsOnlyItsOwnMarkup() {
        let name = Self.hostile
        let inner: HTML = "<b>\(name)</b>"
        let page: HTML = "<p title=\"\(name)\">\(inner) \(42) \(Money(fen: 1800))</p>"
        #expect(
            page.rendered
                == "<p title=\"&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;\">"
                + "<b>&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;</b> 42 ¥18.00</p>"
        )
        let links: [HTML] = [
            "javascript:alert(1)", "JaVaScRiPt:x", "data:text/html,x", "//evil.example/x",
            "https://ok.example/a?b=1&c=<2>", "/files/a.csv?x=1",
        ]
        .map { target in "<a href=\"\(url: target)\">x</a>" }
        #expect(
            links.map(\.rendered) == [
                "<a href=\"#\">x</a>", "<a href=\"#\">x</a>", "<a href=\"#\">x</a>", "<a href=\"#\">x</a>",
                "<a href=\"https://ok.example/a?b=1&amp;c=&lt;2&gt;\">x</a>", "<a href=\"/files/a.csv?x=1\">x</a>",
            ])
    }

    @Test func thePolicyAllowsExactlyThePagesOwnStylesheet() {
        let hash = Data(SHA256.hash(data: Array(HTML.styleSheet.utf8))).base64EncodedString()
        #expect(HTML.contentSecurityPolicy.contains("style-src 'sha256-\(hash)'"))
        let page = HTML.document(title: "t", body: "<p>x</p>").rendered
        #expect(
            page.contains("<style>\(HTML.styleSheet)</style>"),
            "the page's <style> is byte for byte what the hash allows")
    }

    @Test func aCancelReasonWithScriptIsTextOnTheSignedReportPage() async throws {
        let app = try await TestApp.make(clock: TestClock(ReportTests.morningAfter))
        _ = try await ReportTests.subscribe(app)
        var cancelled = ReportTests.order(7002, placed: ReportTests.local(24, 13, 0), cancelled: true)
        cancelled.cancelReason = Self.hostile
        try await ReportTests.seed(
            app, [ReportTests.order(7001, placed: ReportTests.local(24, 12, 0), item: Self.hostile), cancelled])
        try await ReportTests.enqueue(app)
        try await ReportTests.drain(app)
        guard case .text(let text) = try #require(try await ReportTests.reportNotices(app).first).message else {
            Issue.record("no text notice"); return
        }
        let link = try #require(text.split(separator: "\n").last.map(String.init))
        let url = try #require(URL(string: link))
        try await app.live { client in
            let page = try await client.execute(uri: url.path + "?" + url.query!, method: .get)
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            #expect(
                html.contains("取消：&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"),
                "the reason is shown, as text")
            Self.expectNoMarkupFromOutside(html, "report page")
            #expect(
                html.contains("<img alt=") && html.contains("src=\"data:image/svg+xml;base64,")
                    && !html.contains("<svg"),
                "the chart is an image: stored SVG never becomes markup of the page")
            Self.expectSecurityHeaders(page, "report page")
        }
    }

    @Test func everyPageCarriesTheSecurityHeadersAndEscapesWhatCustomersAndStaffTyped() async throws {
        let app = try await TestApp.make()
        let engine = app.dependencies.engine
        var n = 0
        func say(_ input: ConversationInput) async throws {
            n += 1
            _ = try await engine.handle(
                IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "m\(n)", input: input))
        }
        _ = try await engine.handle(
            IncomingChat(
                customer: "o_b", createTime: app.clock.now, dedupeKey: "post", input: .text("留言 \(Self.hostile)")))
        try await say(.text("1 份牛肉面"))
        try await say(.location(Coordinate(latitude: 31.2243, longitude: 121.4805), label: Self.hostile))
        try await say(.text("13800138000"))
        let signer = app.dependencies.signer
        let expires = app.clock.now + 600
        let confirm =
            "/confirm/1001?exp=\(expires)&sig=\(signer.signature(purpose: "confirm", id: "1001", expires: expires))"
        try await say(.text("确认"))
        let created = try await app.dependencies.couriers.create(name: Self.hostile, phone: PhoneNumber("13900139000"))
        try await engine.assign(orderID: 1001, courierID: created.courier.id)
        let track = "/track/1001?exp=\(expires)&sig=\(signer.signature(purpose: "track", id: "1001", expires: expires))"
        let menu = MenuLinks(secret: app.dependencies.config.linkSecret, baseURL: "").path(
            customer: "o_a", at: app.clock.now)
        try await app.live { client in
            for (path, status) in [
                ("/ads/beef-noodles", 200), ("/ads/nope", 404), ("/board", 200), (confirm, 200), (track, 200),
                (menu, 200), ("/menu", 400), ("/menu?c=x&exp=9999999999&sig=00", 403),
                ("/confirm/1001", 400), ("/confirm/1001?exp=9999999999&sig=00", 403), ("/track/1001?exp=1&sig=00", 403),
                ("/reports/2026-11-24?exp=9999999999&sig=00", 403), ("/reports/2026-11-24", 400),
            ] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(Int(response.status.code) == status, "\(path)")
                Self.expectSecurityHeaders(response, path)
                Self.expectNoMarkupFromOutside(String(buffer: response.body), path)
            }
            let board = String(buffer: try await client.execute(uri: "/board", method: .get).body)
            #expect(board.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            let tracking = String(buffer: try await client.execute(uri: track, method: .get).body)
            #expect(tracking.contains("骑手：&lt;script&gt;") && tracking.contains("送至：&lt;script&gt;"))
            let posted = try await client.execute(uri: confirm, method: .post)
            Self.expectSecurityHeaders(posted, "POST \(confirm)")
            // Not pages, but never sniffed into one either.
            #expect(try await client.execute(uri: "/healthz", method: .get).headers[.xContentTypeOptions] == "nosniff")
        }
    }

    @Test func reportDownloadsAreAttachmentsAndDocumentsRunNothingAtThisOrigin() async throws {
        let app = try await TestApp.make(clock: TestClock(ReportTests.morningAfter))
        try await ReportTests.seed(app, [ReportTests.order(7001, placed: ReportTests.local(24, 12, 0))])
        try await ReportTests.enqueue(app)
        try await ReportTests.drain(app)
        let record = try #require(try await app.dependencies.reportStore.report(date: ReportTests.date))
        let keys = try JSONColumn.decode(ReportFileKeys.self, from: record.files)
        let objects = app.dependencies.objects
        try await app.live { client in
            for key in [keys.chart, keys.xlsx, keys.csv["orders"]!] {
                let url = try await objects.downloadURL(key: key, expiresIn: .seconds(600))
                let response = try await client.execute(uri: url.path + "?" + url.query!, method: .get)
                #expect(response.status == .ok, "\(key)")
                #expect(
                    response.headers[.contentDisposition]
                        == "attachment; filename=\"\(key.split(separator: "/").last!)\"", "\(key)")
                #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(key)")
                if key == keys.chart || key.hasSuffix(".csv") {
                    #expect(response.headers[.contentSecurityPolicy]?.contains("sandbox") == true, "\(key)")
                }
            }
            #expect(
                try await client.execute(uri: "/media/ads/x.svg", method: .get).status == .notFound,
                "no document type on the public media path")
        }
    }
}
