import DropMateCore
import Foundation
import Hummingbird

/// `/console/merchants/{id}`: one shop's rules as a form (hours per weekday, delivery radius, minimum order, a flat
/// or distance-banded fee, preparation time, orders for later) saved through `PUT /api/v1/merchants/{id}/rules`,
/// and its pause switch. The page's script turns the fields into the API's JSON; the API checks everything again.
extension ConsoleRoutes {
    /// Distance bands the form offers (the API takes more; a shop needing more uses the API).
    static let bandRows = 5

    func addMerchantRuleScreens(to router: Router<BasicRequestContext>) {
        router.get("/console/merchants/:id") { request, context in
            try await office(request) { session in
                guard let id = context.parameters.get("id"), let found = try await api.catalog.merchant(id: id) else {
                    return ConsolePage.message(
                        "没有这个商家 No such merchant", "<a href=\"/console/merchants\">商家 Merchants</a>", status: .notFound)
                }
                return try await merchantRulesPage(found.merchant, session: session)
            }
        }
    }

    static func yuan(_ money: Money) -> String { String(format: "%d.%02d", money.fen / 100, money.fen % 100) }

    func merchantRulesPage(_ merchant: Merchant, session: ConsoleSessions.Session) async throws -> Response {
        let rules = try await api.catalog.rules(merchantID: merchant.id) ?? .unrestricted
        let names: [Weekday: HTML] = [
            .monday: "周一 Mon", .tuesday: "周二 Tue", .wednesday: "周三 Wed", .thursday: "周四 Thu", .friday: "周五 Fri",
            .saturday: "周六 Sat", .sunday: "周日 Sun",
        ]
        let days = Weekday.allCases.map { day -> HTML in
            let text =
                rules.hours.map { week in
                    week[day].map { "\(OpeningInterval.text($0.opens))-\(OpeningInterval.text($0.closes))" }.joined(
                        separator: ", ")
                } ?? ""
            return """
                <label for="hours-\(day.key)">\(names[day] ?? "")</label>
                <input id="hours-\(day.key)" data-day="\(day.key)" value="\(text)" placeholder="10:00-14:00, 17:00-21:30" aria-describedby="hours-help">
                """
        }
        var flat = "", bands: [FeeBand] = [], mode = "free"
        switch rules.deliveryFee {
        case .flat(let money) where money.fen > 0: (mode, flat) = ("flat", Self.yuan(money))
        case .flat: break
        case .bands(let list): (mode, bands) = ("bands", list)
        }
        let bandRows = (0..<Self.bandRows).map { index -> HTML in
            let band = index < bands.count ? bands[index] : nil
            let upTo = band?.upToMetres.map(String.init) ?? ""
            let fee = band.map { Self.yuan($0.fee) } ?? ""
            return """
                <tr><td><label class="sr-only" for="band-up-\(index)">第 \(index + 1) 档距离（米） Band \(index + 1) up to metres</label>
                <input id="band-up-\(index)" data-band-up="\(index)" inputmode="numeric" value="\(upTo)" placeholder="\(index == 0 ? "3000" : "")"></td>
                <td><label class="sr-only" for="band-fee-\(index)">第 \(index + 1) 档运费（元） Band \(index + 1) fee in yuan</label>
                <input id="band-fee-\(index)" data-band-fee="\(index)" inputmode="decimal" value="\(fee)"></td></tr>
                """
        }
        func checked(_ on: Bool) -> HTML { on ? " checked" : .empty }
        let pause = rules.pause
        let now = clock()
        let paused: Bool
        switch pause {
        case .off: paused = false
        case .untilResumed: paused = true
        case .until(let at): paused = at > now
        }
        let toggle: HTML =
            paused
            ? "<form class=\"inline\" data-api=\"/api/v1/merchants/\(merchant.id)/resume\" data-next=\"/console/merchants/\(merchant.id)\"><button type=\"submit\" class=\"secondary\">恢复接单 Resume</button></form>"
            : "<form class=\"inline\" data-api=\"/api/v1/merchants/\(merchant.id)/pause\" data-next=\"/console/merchants/\(merchant.id)\"><button type=\"submit\" class=\"danger\">暂停接单 Pause</button></form>"
        let body: HTML = """
            <p><a href="/console/merchants">← 商家 Merchants</a></p>
            <h1>\(merchant.name.zh) <small>\(merchant.name.en)</small></h1>
            <p><span class="state\(paused ? " paused" as HTML : .empty)" id="pause-state">\(paused ? "已暂停 Paused" : "接单中 Taking orders")</span> \(toggle)</p>
            <p class="error" id="action-error" role="alert" hidden></p>
            <p class="ok" id="rules-saved" role="status" hidden>已保存 Saved</p>
            <form class="action rules-form" data-rules-api="/api/v1/merchants/\(merchant.id)/rules" data-next="/console/merchants/\(merchant.id)">
            <fieldset><legend>营业时间 Opening hours</legend>
            <p><input type="checkbox" id="always-open" data-always-open\(checked(rules.hours == nil))> <label class="inline-label" for="always-open">全天营业 Open around the clock</label></p>
            <p class="meta" id="hours-help">每天一个或多个时段，如 10:00-14:00, 17:00-21:30；留空为休息，跨午夜如 22:00-02:00。 One or more times a day; empty: closed that day; past midnight like 22:00-02:00.</p>
            <div class="days">\(days)</div></fieldset>
            <fieldset><legend>配送 Delivery</legend>
            <label for="radius">配送半径（米，留空不限） Delivery radius (metres, empty: no limit)</label>
            <input id="radius" name="delivery_radius_metres" inputmode="numeric" value="\(rules.deliveryRadiusMetres.map(String.init) ?? "")">
            <label for="minimum">起送价（元） Minimum order (yuan)</label>
            <input id="minimum" name="minimum_order_fen" inputmode="decimal" value="\(Self.yuan(rules.minimumOrder))">
            <label for="prep">备餐时间（分钟） Preparation time (minutes)</label>
            <input id="prep" name="preparation_minutes" inputmode="numeric" value="\(merchant.preparationMinutes)">
            <p><input type="checkbox" id="later" name="accepts_orders_for_later"\(checked(rules.acceptsOrdersForLater))> <label class="inline-label" for="later">接受预约单（休息时可预订） Take orders for later while closed</label></p>
            </fieldset>
            <fieldset><legend>配送费 Delivery fee</legend>
            <p><input type="radio" name="fee_mode" id="fee-free" value="free"\(checked(mode == "free"))> <label class="inline-label" for="fee-free">免费 Free</label>
            <input type="radio" name="fee_mode" id="fee-flat" value="flat"\(checked(mode == "flat"))> <label class="inline-label" for="fee-flat">固定 Flat</label>
            <input type="radio" name="fee_mode" id="fee-bands" value="bands"\(checked(mode == "bands"))> <label class="inline-label" for="fee-bands">按距离 By distance</label></p>
            <label for="flat-fee">固定运费（元） Flat fee (yuan)</label><input id="flat-fee" inputmode="decimal" value="\(flat)">
            <div class="table-wrap"><table class="list bands"><caption>按距离分档（由近到远，最后一档距离可留空表示更远） Bands, nearest first (the last may leave the distance empty: anything farther)</caption>
            <thead><tr><th scope="col">距离上限（米） Up to (metres)</th><th scope="col">运费（元） Fee (yuan)</th></tr></thead><tbody>\(bandRows)</tbody></table></div>
            </fieldset>
            <button type="submit">保存规则 Save rules</button></form>
            """
        return ConsolePage.page(
            title: "\(merchant.name.zh) 规则 Rules · DropMate", csrf: session.csrf, header: header(session), body: body)
    }
}
