import DropMateCore
import DropMateObjectStore
import DropMateStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DropMateApp

/// The ad page shows the uploaded photo (served from this site, within the pages' policy), the price, a sold-out
/// mark, and what to send in the chat to order.
@Suite struct AdPageTests {
    func audit(_ app: TestApp, _ action: String) -> AuditEntry {
        AuditEntry(
            actorID: nil, actor: "test", role: "admin", action: action, target: "ad:beef-noodles", at: app.clock.now)
    }

    /// Stores `bytes` as the beef noodles' photo, as the staff API's upload does, and reloads the catalog.
    func upload(_ app: TestApp, key: String, pictureURL: String) async throws {
        try await app.dependencies.objects.put(key: key, body: .bytes(StaffAPITests.png), contentType: "image/png")
        var ad = try #require(try await app.dependencies.catalogStore.ad(id: "beef-noodles"))
        ad.imageKey = key
        ad.item.pictureURL = pictureURL
        try await app.dependencies.catalogStore.save(
            ad, isNew: false, now: app.clock.now, audit: audit(app, "ad.image"))
        try await app.dependencies.engine.reloadCatalog()
    }

    @Test func theAdPageShowsItsUploadedImagePriceAndWhatToSendToOrder() async throws {
        let app = try await TestApp.make()
        try await upload(
            app, key: "ads/beef-noodles-0a1b2c3d.png",
            pictureURL: "https://dropmate.example/media/ads/beef-noodles-0a1b2c3d.png")
        try await app.live { client in
            let page = try await client.execute(uri: "/ads/beef-noodles", method: .get)
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            #expect(
                html.contains("<img class=\"photo\" src=\"/media/ads/beef-noodles-0a1b2c3d.png\""),
                "the photo, by its same-origin path")
            #expect(html.contains("¥18.00") && !html.contains("Sold out"))
            #expect(
                html.contains("1份牛肉面") && html.contains("class=\"order\"") && !html.contains("order 1 beef noodles"),
                "one language")
            let english = String(buffer: try await client.execute(uri: "/ads/beef-noodles?lang=en", method: .get).body)
            #expect(
                english.contains("order 1 beef noodles")
                    && english.contains("src=\"/media/ads/beef-noodles-0a1b2c3d.png\" alt=\"beef noodles\""))
            #expect(!html.contains("<script"))
            // The image the page names is served, and the page's policy lets it load (same origin only).
            let image = try await client.execute(uri: "/media/ads/beef-noodles-0a1b2c3d.png", method: .get)
            #expect(image.status == .ok && Array(image.body.readableBytesView) == StaffAPITests.png)
            let policy = try #require(page.headers[.contentSecurityPolicy])
            #expect(
                policy.contains("img-src 'self' data:;") && !policy.contains("script-src")
                    && policy.contains("default-src 'none'"))
        }
    }

    @Test func aSoldOutItemIsMarkedAndOffersNoOrderPhrase() async throws {
        let app = try await TestApp.make()
        _ = try await app.dependencies.catalogStore.setSoldOut(
            true, adID: "beef-noodles", now: app.clock.now, audit: audit(app, "ad.sold_out"))
        try await app.dependencies.engine.reloadCatalog()
        try await app.live { client in
            let html = String(buffer: try await client.execute(uri: "/ads/beef-noodles", method: .get).body)
            #expect(html.contains("已卖完") && html.contains("¥18.00"))
            let english = String(
                buffer: try await client.execute(
                    uri: "/ads/beef-noodles", method: .get, headers: [.acceptLanguage: "en"]
                ).body)
            #expect(english.contains("Sold out") && !english.contains("order 1 beef noodles"))
            #expect(
                !html.contains("class=\"order\"") && !html.contains("1份牛肉面"), "no phrase that would only get 卖完了 back")
            #expect(!html.contains("<img"), "no upload, no image")
        }
    }

    @Test func onlyAnUploadedImageOnThisSiteIsShown() {
        #expect(
            PageRoutes.adImagePath("https://dropmate.example/media/ads/tea-1f2e3d4c.webp")
                == "/media/ads/tea-1f2e3d4c.webp")
        #expect(PageRoutes.adImagePath("/media/ads/tea.jpg") == "/media/ads/tea.jpg")
        #expect(PageRoutes.adImagePath("") == nil)
        #expect(
            PageRoutes.adImagePath("https://cdn.example/pictures/tea.jpg") == nil,
            "elsewhere: the pages' policy would block it")
        #expect(PageRoutes.adImagePath("https://dropmate.example/media/ads/x.svg") == nil, "never a document type")
        #expect(PageRoutes.adImagePath("javascript:alert(1)//media/ads/x.png") == nil)
        #expect(PageRoutes.adImagePath("https://dropmate.example/media/ads/../../secret.png") == nil)
        #expect(PageRoutes.adImagePath("https://dropmate.example/media/ads/a.png?x=\"><script>") == nil)
        #expect(
            PageRoutes.adImagePath("https://dropmate.example/media/ads/sub/a.png") == nil,
            "one segment, as the route serves")
    }
}
