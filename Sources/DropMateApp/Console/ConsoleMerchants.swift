import DropMateCore
import Foundation
import Hummingbird

/// `/console/merchants`: each shop with its pause switch (暂停接单) and its dishes with 估清 (sold out today), through
/// the staff API's shop-rule endpoints; each shop's rules are edited on its own page (`ConsoleMerchantRules`).
extension ConsoleRoutes {
    func addMerchantScreens(to router: Router<BasicRequestContext>) {
        router.get("/console/merchants") { request, _ in try await office(request) { session in merchantsPage(session) }
        }
    }

    func merchantsPage(_ session: ConsoleSessions.Session) -> Response {
        let catalog = api.engine.catalog
        let now = clock()
        let shops = catalog.merchants.map { merchant -> HTML in
            let pause = merchant.rules?.pause ?? .off
            let paused: Bool
            let state: HTML
            switch pause {
            case .off: (paused, state) = (false, "接单中 Taking orders")
            case .untilResumed: (paused, state) = (true, "已暂停 Paused until resumed")
            case .until(let at) where at > now: (paused, state) = (true, "已暂停至 Paused until \(renderer.clockTime(at))")
            case .until: (paused, state) = (false, "接单中 Taking orders")
            }
            let toggle: HTML =
                paused
                ? "<form class=\"inline\" data-api=\"/api/v1/merchants/\(merchant.id)/resume\" data-next=\"/console/merchants\"><button type=\"submit\" class=\"secondary\">恢复接单 Resume</button></form>"
                : "<form class=\"inline\" data-api=\"/api/v1/merchants/\(merchant.id)/pause\" data-next=\"/console/merchants\"><button type=\"submit\" class=\"danger\">暂停接单 Pause</button></form>"
            let dishes = catalog.items.filter { $0.merchantID == merchant.id }.map { item -> HTML in
                let soldOut = item.soldOut ?? false
                let button: HTML =
                    soldOut
                    ? "<form class=\"inline\" data-api=\"/api/v1/ads/\(item.id)/sold-out\" data-method=\"DELETE\" data-next=\"/console/merchants\"><button type=\"submit\" class=\"secondary\">恢复供应 Back in stock</button></form>"
                    : "<form class=\"inline\" data-api=\"/api/v1/ads/\(item.id)/sold-out\" data-next=\"/console/merchants\"><button type=\"submit\" class=\"danger\">估清 Sold out</button></form>"
                return
                    "<tr><td>\(item.name.zh) / \(item.name.en)</td><td>\(item.price)</td><td>\(soldOut ? "估清 Sold out" : "有货 Available")</td><td>\(button)</td></tr>"
            }
            return """
                <section class="task merchant" id="merchant-\(merchant.id)"><h2>\(merchant.name.zh) <small>\(merchant.name.en)</small>
                <a class="rules-link" href="/console/merchants/\(merchant.id)">规则 Rules</a></h2>
                <p class="meta">\(rulesSummary(merchant))</p>
                <p><span class="state\(paused ? " paused" as HTML : .empty)">\(state)</span> \(toggle)</p>
                <div class="table-wrap"><table class="list"><thead><tr><th scope="col">菜品 Dish</th><th scope="col">价格 Price</th><th scope="col">状态 State</th>
                <th scope="col">操作 Action</th></tr></thead><tbody>\(dishes)</tbody></table></div></section>
                """
        }
        let body: HTML = """
            <h1>商家 Merchants</h1>
            <p class="error" id="action-error" role="alert" hidden></p>
            \(HTML(joining: shops))
            """
        return ConsolePage.page(
            title: "商家 Merchants · DropMate", csrf: session.csrf, header: header(session), body: body)
    }

    /// "10:00-14:00 …, radius 3000 m, minimum ¥20.00, fee ¥5.00, prep 15 min": the rules in one line.
    func rulesSummary(_ merchant: Merchant) -> String {
        let rules = merchant.rules ?? .unrestricted
        let hours = rules.hours.map { "营业 Hours \($0.text)" } ?? "全天营业 Open around the clock"
        let radius = rules.deliveryRadiusMetres.map { "半径 radius \($0) m" } ?? "不限距离 no radius"
        let fee: String =
            switch rules.deliveryFee {
            case .flat(let money): money.fen == 0 ? "免运费 free delivery" : "运费 fee \(money)"
            case .bands(let bands): "按距离 \(bands.count) 档 fee in \(bands.count) bands"
            }
        return
            "\(hours) · \(radius) · 起送 minimum \(rules.minimumOrder) · \(fee) · 备餐 prep \(merchant.preparationMinutes) min\(rules.acceptsOrdersForLater ? " · 可预约 orders for later" : "")"
    }
}
