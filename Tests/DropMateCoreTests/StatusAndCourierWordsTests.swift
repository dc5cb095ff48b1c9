import Testing

@testable import DropMateCore

/// Couriers understood as they talk, and one wording of an order's status wherever it is shown.
@Suite struct StatusAndCourierWordsTests {
    let machine = ConversationMachine()
    let start: Int64 = 1_800_000_000
    let catalog = DemoCatalog.catalog

    func facts(deliveries: [Order]) -> ConversationFacts {
        ConversationFacts(now: start, catalog: catalog, deliveries: deliveries)
    }

    func order(_ id: Int64, _ status: OrderStatus) -> Order {
        var order = Order(
            id: id, customer: "o_a", merchantID: "lanzhou",
            lines: [
                OrderLine(
                    itemID: "beef-noodles", name: LocalizedText(zh: "牛肉面", en: "beef noodles"), quantity: 1,
                    unitPrice: Money(fen: 1800))
            ],
            address: DeliveryAddress(text: "人民广场"), phone: PhoneNumber("13800138000")!, language: .zh, createdAt: start)
        order.status = status
        return order
    }

    // MARK: 5. couriers

    @Test(arguments: [
        ("取到了", CourierIntent.action(.pickUp, orderID: nil)), ("拿到了", .action(.pickUp, orderID: nil)),
        ("已取", .action(.pickUp, orderID: nil)),
        ("已取餐", .action(.pickUp, orderID: nil)), ("picked", .action(.pickUp, orderID: nil)),
        ("picked up", .action(.pickUp, orderID: nil)),
        ("1007取件", .action(.pickUp, orderID: 1007)), ("#1007 picked up", .action(.pickUp, orderID: 1007)),
        ("已取件 #1007", .action(.pickUp, orderID: 1007)),
        ("到了", .action(.deliver, orderID: nil)), ("送到了", .action(.deliver, orderID: nil)),
        ("已送达", .action(.deliver, orderID: nil)),
        ("done", .action(.deliver, orderID: nil)), ("delivered", .action(.deliver, orderID: nil)),
        ("1007送达", .action(.deliver, orderID: 1007)),
        ("1007 delivered", .action(.deliver, orderID: 1007)), ("送到了 1007", .action(.deliver, orderID: 1007)),
        ("deliveries", .deliveries), ("1007", .other), ("1007好吃", .other),
    ])
    func couriersAreUnderstoodAsTheyTalk(_ text: String, _ intent: CourierIntent) {
        #expect(CourierIntent.parse(text) == intent)
    }

    @Test func withSeveralDeliveriesTheCourierIsAskedWhichListingThem() {
        var state = ConversationState.new(at: start)
        state.courierID = 1
        var first = order(1001, .dispatched), second = order(1002, .dispatched)
        first.courierID = 1
        second.courierID = 1
        let step = machine.step(
            customer: "o_c", state: state, input: .text("送到了"), facts: facts(deliveries: [first, second]))
        #expect(step.replies == [.courier(.whichOrder(.deliver, [first, second]))])
        let one = machine.step(customer: "o_c", state: state, input: .text("送到了"), facts: facts(deliveries: [first]))
        #expect(one.effects == [.courierAction(orderID: 1001, .deliver)])
    }

    // MARK: 6. one wording of an order's status

    @Test(arguments: [Language.zh, .en])
    func theDispatchPushSaysWhatWhereIsMyOrderSays(_ language: Language) {
        let renderer = ReplyRenderer()
        var dispatched = order(1001, .dispatched)
        dispatched.courierName = "王师傅"
        for pickedUp in [nil, start] as [Int64?] {
            dispatched.pickedUpAt = pickedUp
            let asked = renderer.text(
                for: .orderStatus([OrderStatusLine(order: dispatched, eta: start + 600)]), language: language,
                catalog: catalog)
            let pushed = renderer.text(
                for: .statusChanged(dispatched, eta: start + 600), language: language, catalog: catalog)
            #expect(pushed == asked)
            #expect(renderer.statusLine(dispatched, eta: start + 600, language: language, catalog: catalog) == asked)
        }
    }
}
