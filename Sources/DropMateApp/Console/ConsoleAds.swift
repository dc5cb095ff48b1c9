import DropMateCore
import DropMateStorage
import Foundation
import Hummingbird

/// `/console/ads`: the dishes and offers customers order from, each editable (names, description, price, aliases,
/// position, featured, active window) with its image uploaded and previewed in place, through the staff API's
/// `/ads` endpoints (the same checks, audit and idempotency). Prices are typed in yuan and sent in fen.
extension ConsoleRoutes {
    func addAdScreens(to router: Router<BasicRequestContext>) {
        router.get("/console/ads") { request, _ in try await office(request) { session in try await adsPage(session) } }
        router.get("/console/ads/new") { request, _ in
            try await office(request) { session in try await adPage(nil, session: session) }
        }
        router.get("/console/ads/:id") { request, context in
            try await office(request) { session in
                guard let id = context.parameters.get("id"), let ad = try await api.catalog.ad(id: id) else {
                    return ConsolePage.message(
                        "没有这个广告 No such ad", "<a href=\"/console/ads\">广告 Ads</a>", status: .notFound)
                }
                return try await adPage(ad, session: session)
            }
        }
    }

    func adsPage(_ session: ConsoleSessions.Session) async throws -> Response {
        let ads = try await api.catalog.ads()
        let merchants = Dictionary(
            try await api.catalog.merchants().map { ($0.merchant.id, $0.merchant.name.zh) },
            uniquingKeysWith: { first, _ in first })
        let rows = ads.map { ad -> HTML in
            let item = ad.item
            let image: HTML =
                ad.imageKey.map { key -> HTML in "<img class=\"thumb\" src=\"/media/\(key)\" alt=\"\(item.name.zh)\">" }
                ?? "—"
            var flags: [String] = [ad.active ? "上架 Active" : "下架 Inactive"]
            if item.isFeatured { flags.append("推荐 Featured") }
            if item.isSoldOut { flags.append("估清 Sold out") }
            return """
                <tr><td>\(image)</td><td><a href="/console/ads/\(item.id)">\(item.name.zh) / \(item.name.en)</a></td><td>\(merchants[item.merchantID] ?? item.merchantID)</td>
                <td>\(item.price)</td><td>\(flags.joined(separator: " · "))</td><td>\(item.position)</td></tr>
                """
        }
        let body: HTML = """
            <div class="board-head"><h1>广告 Ads</h1><a class="button-link" href="/console/ads/new">新广告 New ad</a></div>
            <div class="table-wrap"><table class="list"><thead><tr><th scope="col">图片 Image</th><th scope="col">名称 Name</th><th scope="col">商家 Merchant</th>
            <th scope="col">价格 Price</th><th scope="col">状态 State</th><th scope="col">排序 Position</th></tr></thead><tbody>\(rows)</tbody></table></div>
            """
        return ConsolePage.page(title: "广告 Ads · DropMate", csrf: session.csrf, header: header(session), body: body)
    }

    /// "2026-12-05T10:30" in the business time zone, for a `datetime-local` field.
    func localDateTime(_ seconds: Int64?) -> String {
        guard let seconds else { return "" }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: api.utcOffset)!
        let c = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return String(
            format: "%04d-%02d-%02dT%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    /// The business time zone's offset, "+08:00", which the page appends to the times typed.
    var offsetText: String {
        let minutes = abs(api.utcOffset) / 60
        return String(format: "%@%02d:%02d", api.utcOffset < 0 ? "-" : "+", minutes / 60, minutes % 60)
    }

    func adPage(_ ad: SQLCatalogStore.Ad?, session: ConsoleSessions.Session) async throws -> Response {
        let merchants = try await api.catalog.merchants()
        let item = ad?.item
        let options = merchants.map { entry -> HTML in
            let selected: HTML = entry.merchant.id == item?.merchantID ? " selected" : .empty
            return
                "<option value=\"\(entry.merchant.id)\"\(selected)>\(entry.merchant.name.zh) / \(entry.merchant.name.en)</option>"
        }
        let idField: HTML =
            item.map { item -> HTML in "<input type=\"hidden\" name=\"id\" value=\"\(item.id)\">" } ?? """
                <label for="ad-id">编号 Id（小写字母、数字、横线 lowercase letters, digits, dashes）</label>
                <input id="ad-id" name="id" required maxlength="64" pattern="[a-z0-9-]+" autocomplete="off">
                """
        let target: HTML =
            item.map { item -> HTML in
                "data-json-api=\"/api/v1/ads/\(item.id)\" data-method=\"PUT\" data-next=\"/console/ads/\(item.id)\""
            }
            ?? "data-json-api=\"/api/v1/ads\" data-method=\"POST\" data-next=\"/console/ads/{id}\""
        let price = item.map { String(format: "%d.%02d", $0.price.fen / 100, $0.price.fen % 100) } ?? ""
        let image: HTML =
            ad?.imageKey.map { key -> HTML in
                "<img id=\"ad-preview-img\" src=\"/media/\(key)\" alt=\"图片预览 Image preview\">"
            }
            ?? "<img id=\"ad-preview-img\" alt=\"图片预览 Image preview\" hidden>"
        let upload: HTML =
            item.map { item -> HTML in
                """
                <section class="task"><h2>图片 Image</h2>
                <label for="ad-image">选择图片 Choose an image (PNG, JPEG, WebP, ≤ 2 MB)</label>
                <input type="file" id="ad-image" accept="image/png,image/jpeg,image/webp" data-upload="/api/v1/ads/\(item.id)/image" data-preview="ad-preview-img">
                <button type="button" class="secondary" id="ad-image-upload" disabled>上传图片 Upload image</button>
                <p class="meta" id="ad-image-status" aria-live="polite"></p></section>
                """
            } ?? "<p class=\"meta\">保存后可上传图片 Save the ad first, then upload its image.</p>"
        let body: HTML = """
            <p><a href="/console/ads">← 广告 Ads</a></p>
            <h1>\(item.map { "\($0.name.zh) / \($0.name.en)" } ?? "新广告 New ad")</h1>
            <p class="error" id="action-error" role="alert" hidden></p>
            <div class="edit-grid">
            <form class="action edit-form" \(target) data-offset="\(offsetText)">
            \(idField)
            <label for="ad-merchant">商家 Merchant</label><select id="ad-merchant" name="merchant_id" required>\(options)</select>
            <label for="ad-name-zh">中文名 Name (Chinese)</label><input id="ad-name-zh" name="name_zh" required maxlength="40" value="\(item?.name.zh ?? "")" data-preview-text="preview-name-zh">
            <label for="ad-name-en">英文名 Name (English)</label><input id="ad-name-en" name="name_en" required maxlength="40" value="\(item?.name.en ?? "")" data-preview-text="preview-name-en">
            <label for="ad-price">价格（元） Price (yuan)</label><input id="ad-price" name="price_fen" data-kind="yuan" required inputmode="decimal" value="\(price)" data-preview-text="preview-price">
            <label for="ad-desc-zh">中文介绍 Description (Chinese)</label><textarea id="ad-desc-zh" name="description_zh" maxlength="300" rows="2" data-preview-text="preview-desc">\(item?.description.zh ?? "")</textarea>
            <label for="ad-desc-en">英文介绍 Description (English)</label><textarea id="ad-desc-en" name="description_en" maxlength="300" rows="2">\(item?.description.en ?? "")</textarea>
            <label for="ad-aliases">别名（逗号分隔） Aliases (comma-separated)</label><input id="ad-aliases" name="aliases" data-kind="list" value="\((item?.aliases ?? []).joined(separator: ", "))">
            <label for="ad-position">排序 Position</label><input id="ad-position" name="position" data-kind="int" inputmode="numeric" value="\(item?.position ?? 0)">
            <p><input type="checkbox" id="ad-featured" name="featured" data-kind="bool"\(item?.isFeatured == true ? " checked" as HTML : .empty)> <label class="inline-label" for="ad-featured">推荐 Featured</label></p>
            <p><input type="checkbox" id="ad-active" name="active" data-kind="bool"\(ad?.active ?? true ? " checked" as HTML : .empty)> <label class="inline-label" for="ad-active">上架 Active</label></p>
            <label for="ad-starts">开始（北京时间） Starts (business time)</label><input type="datetime-local" id="ad-starts" name="starts_at" data-kind="time" value="\(localDateTime(ad?.startsAt))">
            <label for="ad-ends">结束 Ends</label><input type="datetime-local" id="ad-ends" name="ends_at" data-kind="time" value="\(localDateTime(ad?.endsAt))">
            <button type="submit">保存 Save</button></form>
            <div><section class="task ad-preview" aria-label="预览 Preview"><h2>预览 Preview</h2>
            \(image)
            <p class="preview-title"><strong id="preview-name-zh">\(item?.name.zh ?? "")</strong> <span id="preview-name-en">\(item?.name.en ?? "")</span></p>
            <p class="preview-price">¥<span id="preview-price">\(price)</span></p><p id="preview-desc" class="meta">\(item?.description.zh ?? "")</p></section>
            \(upload)</div></div>
            """
        return ConsolePage.page(title: "广告 Ad · DropMate", csrf: session.csrf, header: header(session), body: body)
    }
}
