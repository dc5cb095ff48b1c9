import DropMateCore
import Foundation

/// The board's markup: columns by state, and one card per order. Every value that came from a customer
/// (address, notes, item names as ordered) goes through `HTML`'s escaping interpolation.
struct ConsoleCards: Sendable {
    let catalog: Catalog
    let renderer: ReplyRenderer
    let now: Int64
    /// Confirmed orders still waiting to be paid while payment is required: not staff's to dispatch yet.
    var unpaid: Set<Int64> = []

    /// The board's columns, in the order a day flows.
    enum Column: String, CaseIterable, Sendable {
        case new = "new"
        case confirmed, dispatched
        case pickedUp = "picked_up"
        case delivered, cancelled

        var title: HTML {
            switch self {
            case .new: "新订单 New"
            case .confirmed: "已确认 Confirmed"
            case .dispatched: "已派单 Dispatched"
            case .pickedUp: "已取件 Picked up"
            case .delivered: "已送达 Delivered"
            case .cancelled: "已取消 Cancelled"
            }
        }

        init(_ order: Order) {
            switch order.status {
            case .awaitingConfirmation: self = .new
            case .confirmed: self = .confirmed
            case .dispatched: self = order.pickedUpAt == nil ? .dispatched : .pickedUp
            case .delivered: self = .delivered
            case .cancelled: self = .cancelled
            }
        }
    }

    /// Open past the time promised (unpromised: an hour after it was placed), or its live ETA is past that time.
    func isLate(_ order: Order) -> Bool {
        guard !order.status.isFinal else { return false }
        let deadline = order.promisedAt ?? order.createdAt + 3_600
        return now > deadline || (order.latestETA ?? 0) > deadline
    }

    func board(_ orders: [Order]) -> HTML {
        let columns = Column.allCases.map { column -> HTML in
            let cards = orders.filter { Column($0) == column }.map(card)
            return """
                <section class="column" data-column="\(column.rawValue)" aria-labelledby="col-\(column.rawValue)">
                <h2 id="col-\(column.rawValue)">\(column.title) <span class="count">\(cards.count)</span></h2>
                <div class="cards">\(cards)</div></section>
                """
        }
        return "<div class=\"board\" id=\"board\">\(columns)</div>"
    }

    func card(_ order: Order) -> HTML {
        let column = Column(order)
        let merchant = catalog.merchant(id: order.merchantID)
        let items = order.lines.map { line -> HTML in
            "<li>\(line.name.zh) ×\(line.quantity)\(line.note.map { note -> HTML in " <em class=\"note\">（\(note)）</em>" } ?? .empty)</li>"
        }
        let eta = (order.latestETA ?? order.promisedAt).map(renderer.clockTime)
        let late = isLate(order)
        let minutes = max(0, (now - order.createdAt) / 60)
        // Rings on open boards once it is staff's to dispatch: confirmed, and paid when payment is required.
        let awaitingPayment = order.status == .confirmed && unpaid.contains(order.id)
        let rings = order.status == .confirmed && !awaitingPayment
        return """
            <article class="card\(late ? " late" as HTML : .empty)" id="order-\(order.id)" data-order="\(order.id)" data-column="\(column.rawValue)" data-created="\(order.createdAt)" data-ring="\(rings ? "1" : "0")">
            <h3><a href="/console/orders/\(order.id)">#\(order.id)</a> <span class="age">\(minutes) 分钟 min</span>\(late ? " <span class=\"late-tag\">超时 Late</span>" as HTML : .empty)\(awaitingPayment ? " <span class=\"state paused\">待付款 Awaiting payment</span>" as HTML : .empty)</h3>
            <ul class="items">\(items)</ul>
            \(order.note.map { note -> HTML in "<p class=\"note\">备注 Note: \(note)</p>" } ?? .empty)
            <p class="addr">\(order.address.text)</p>
            <p class="meta">\(merchant?.name.zh ?? order.merchantID) · \(order.total)\(eta.map { at -> HTML in " · 预计 ETA \(at)" } ?? .empty)\(order.courierName.map { name -> HTML in " · 骑手 Courier \(name)" } ?? .empty)</p>
            </article>
            """
    }
}
