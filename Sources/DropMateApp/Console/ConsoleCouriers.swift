import DropMateCore
import Foundation
import Hummingbird

/// `/console/couriers`: who is on duty, what each carries, where they last were (an SVG plot around the shops: no
/// map service needed), and for admins a new binding code and deactivate/reactivate, through the staff API.
extension ConsoleRoutes {
    /// A position younger than this counts as on duty (the courier page posts every 30 s).
    static let onDutyWindow: Int64 = 15 * 60

    func addCourierScreens(to router: Router<BasicRequestContext>) {
        router.get("/console/couriers") { request, _ in
            try await office(request) { session in try await couriersPage(session) }
        }
    }

    func couriersPage(_ session: ConsoleSessions.Session) async throws -> Response {
        let now = clock()
        let couriers = try await api.couriers.all()
        let open = try await api.reads.orders(matching: .init(status: .dispatched), limit: 1_000, offset: 0).orders
        var carrying: [Int64: [Int64]] = [:]
        for order in open { if let id = order.courierID { carrying[id, default: []].append(order.id) } }
        let isAdmin = session.identity.account.role == .admin
        let rows = couriers.map { courier -> HTML in
            let onDuty = courier.active && (courier.position.map { now - $0.at <= Self.onDutyWindow } ?? false)
            let state: HTML =
                !courier.active
                ? "<span class=\"state\">停用 Inactive</span>"
                : onDuty ? "<span class=\"state ok\">在岗 On duty</span>" : "<span class=\"state\">休息 Off duty</span>"
            let orders = (carrying[courier.id] ?? []).map { id -> HTML in "<a href=\"/console/orders/\(id)\">#\(id)</a>"
            }
            let seen: HTML = courier.position.map { position -> HTML in "\(renderer.clockTime(position.at))" } ?? "—"
            var actions: [HTML] = []
            if isAdmin {
                actions.append(
                    """
                    <form class="inline" data-api="/api/v1/couriers/\(courier.id)/binding-code" data-show="code" data-output="code-\(courier.id)">
                    <button type="submit" class="secondary">绑定码 Binding code</button> <output id="code-\(courier.id)" class="code"></output></form>
                    """)
                let verb = courier.active ? "deactivate" : "reactivate"
                let label: HTML = courier.active ? "停用 Deactivate" : "启用 Reactivate"
                actions.append(
                    """
                    <form class="inline" data-api="/api/v1/couriers/\(courier.id)/\(verb)" data-next="/console/couriers">
                    <button type="submit" class="\(courier.active ? "danger" : "secondary")">\(label)</button></form>
                    """)
            }
            return """
                <tr><td>\(courier.name)</td><td>\(state)</td><td>\(orders.isEmpty ? "—" : HTML(joining: orders))</td><td>\(seen)</td>
                <td>\(courier.openID == nil ? "—" : "✓")</td>\(isAdmin ? "<td>\(actions)</td>" as HTML : .empty)</tr>
                """
        }
        let body: HTML = """
            <h1>骑手 Couriers</h1>
            <p class="error" id="action-error" role="alert" hidden></p>
            <div class="table-wrap"><table class="list"><thead><tr><th scope="col">名字 Name</th><th scope="col">状态 State</th><th scope="col">在送 Carrying</th>
            <th scope="col">最后位置 Last position</th><th scope="col">微信 WeChat</th>\(isAdmin ? "<th scope=\"col\">操作 Actions</th>" as HTML : .empty)</tr></thead>
            <tbody>\(rows)</tbody></table></div>
            <h2>位置 Positions</h2>
            \(plot(couriers: couriers.filter(\.active), now: now))
            """
        return ConsolePage.page(
            title: "骑手 Couriers · DropMate", csrf: session.csrf, header: header(session), body: body)
    }

    /// Shops (squares) and couriers' last positions (dots; grey when older than the on-duty window), scaled to fit.
    func plot(couriers: [Courier], now: Int64) -> HTML {
        let shops = api.engine.catalog.merchants
        let points = shops.map(\.location) + couriers.compactMap { $0.position?.coordinate }
        guard let minLat = points.map(\.latitude).min(), let maxLat = points.map(\.latitude).max(),
            let minLon = points.map(\.longitude).min(), let maxLon = points.map(\.longitude).max()
        else { return "<p>—</p>" }
        let width = 640.0, height = 400.0, margin = 40.0
        // One scale for both axes (metres east and north look alike), longitude shrunk by the latitude's cosine.
        let cosine = cos((minLat + maxLat) / 2 * .pi / 180)
        let spanX = max((maxLon - minLon) * cosine, 0.002), spanY = max(maxLat - minLat, 0.002)
        let scale = min((width - 2 * margin) / spanX, (height - 2 * margin) / spanY)
        func x(_ c: Coordinate) -> Int { Int(margin + (c.longitude - minLon) * cosine * scale) }
        func y(_ c: Coordinate) -> Int { Int(height - margin - (c.latitude - minLat) * scale) }
        let shopMarks = shops.map { shop -> HTML in
            "<rect x=\"\(x(shop.location) - 6)\" y=\"\(y(shop.location) - 6)\" width=\"12\" height=\"12\" fill=\"#0b62d6\"/><text x=\"\(x(shop.location) + 9)\" y=\"\(y(shop.location) + 4)\">\(shop.name.zh)</text>"
        }
        let courierMarks = couriers.compactMap { courier -> HTML? in
            guard let position = courier.position else { return nil }
            let fresh = now - position.at <= Self.onDutyWindow
            return
                "<circle cx=\"\(x(position.coordinate))\" cy=\"\(y(position.coordinate))\" r=\"7\" fill=\"\(fresh ? "#07c160" : "#98a2b3")\"/><text x=\"\(x(position.coordinate) + 9)\" y=\"\(y(position.coordinate) + 4)\">\(courier.name)</text>"
        }
        return """
            <svg class="plot" viewBox="0 0 640 400" role="img" aria-label="商家（方块）和骑手最后位置（圆点） Shops (squares) and couriers' last positions (dots)">
            <rect width="640" height="400" fill="#fff"/>\(shopMarks)\(courierMarks)</svg>
            """
    }
}
