@testable import DropMateCore
import Testing

@Suite struct CourierTests {
    static let merchant = DemoCatalog.catalog.merchants[0]
    static let confirmed: Order = {
        var order = Order(
            id: 1001, customer: "o_a", merchantID: merchant.id,
            lines: [OrderLine(itemID: "beef-noodles", name: LocalizedText(zh: "牛肉面", en: "beef noodles"), quantity: 1, unitPrice: Money(fen: 1800))],
            address: DeliveryAddress(text: "人民广场", coordinate: Coordinate(latitude: 31.2243, longitude: 121.4805)),
            phone: PhoneNumber("13800138000")!, language: .zh, createdAt: 0
        )
        order = try! order.applying(.confirm(promisedAt: 1_800), at: 0).order
        return order
    }()

    // MARK: Order lifecycle with a courier

    @Test func assigningDispatchesToTheCourierAndPickingUpIsRecorded() throws {
        let assigned = try Self.confirmed.applying(.assign(courierID: 7, courierName: "王师傅"), at: 120).order
        #expect(assigned.status == .dispatched && assigned.courierID == 7 && assigned.courierName == "王师傅" && assigned.dispatchedAt == 120)
        let pickedUp = try assigned.applying(.pickUp, at: 600).order
        #expect(pickedUp.status == .dispatched && pickedUp.pickedUpAt == 600)
        #expect(try pickedUp.applying(.pickUp, at: 700) == .unchanged(pickedUp), "a second 取件 changes nothing")
        #expect(try assigned.applying(.assign(courierID: 7, courierName: "王师傅"), at: 130) == .unchanged(assigned))
    }

    @Test func reassigningHandsTheOrderToAnotherCourier() throws {
        let first = try Self.confirmed.applying(.assign(courierID: 7, courierName: "A"), at: 120).order
        let second = try first.applying(.assign(courierID: 8, courierName: "B"), at: 300).order
        #expect(second.courierID == 8 && second.courierName == "B" && second.dispatchedAt == 120)
    }

    @Test func aCourierCannotPickUpWhatIsNotDispatched() {
        #expect(throws: OrderTransitionError.notAllowed(from: .confirmed, command: "pick up")) { try Self.confirmed.applying(.pickUp, at: 10) }
    }

    // MARK: Courier commands

    @Test(arguments: [
        ("任务", CourierIntent.deliveries), ("deliveries", .deliveries), ("取件 #1001", .action(.pickUp, orderID: 1001)),
        ("已取件1001", .action(.pickUp, orderID: 1001)), ("picked up #1001", .action(.pickUp, orderID: 1001)), ("取件", .action(.pickUp, orderID: nil)),
        ("送达 #1002", .action(.deliver, orderID: 1002)), ("Delivered 1002", .action(.deliver, orderID: 1002)), ("解绑", .unbind),
        ("取件 #abc", .other), ("你好", .other),
    ])
    func courierCommandsAreRead(_ text: String, _ intent: CourierIntent) {
        #expect(CourierIntent.parse(text) == intent)
    }

    @Test func bindingCodesAreSixDigitsAfterTheKeyword() {
        #expect(IntentParser(catalog: DemoCatalog.catalog).parse("绑定 482913") == .bindCourier(code: "482913"))
        #expect(IntentParser(catalog: DemoCatalog.catalog).parse("bind #482913") == .bindCourier(code: "482913"))
        #expect(IntentParser(catalog: DemoCatalog.catalog).parse("bind 4829") != .bindCourier(code: "4829"))
    }

    // MARK: ETA from the courier's position

    @Test func aCourierFarFromTheShopMakesTheArrivalLater() {
        let assigned = try! Self.confirmed.applying(.assign(courierID: 7, courierName: "A"), at: 0).order
        let estimator = ETAEstimator()
        let near = estimator.arrival(of: assigned, merchant: Self.merchant, route: RemainingRoute(toMerchantMetres: 300, toCustomerMetres: 1_500), now: 60)
        let far = estimator.arrival(of: assigned, merchant: Self.merchant, route: RemainingRoute(toMerchantMetres: 9_000, toCustomerMetres: 1_500), now: 60)
        let ready = Int64(Self.merchant.preparationMinutes * 60)
        #expect(near == ready + Int64(estimator.travelMinutes(metres: 1_500) * 60), "a near courier waits for the food")
        #expect(far == 60 + Int64(estimator.travelMinutes(metres: 9_000) * 60 + estimator.travelMinutes(metres: 1_500) * 60))
    }

    @Test func afterPickupOnlyTheRoadToTheCustomerCounts() {
        var order = try! Self.confirmed.applying(.assign(courierID: 7, courierName: "A"), at: 0).order
        order = try! order.applying(.pickUp, at: 900).order
        let route = ETAEstimator().remainingRoute(of: order, merchant: Self.merchant, courierAt: Coordinate(latitude: 31.2243, longitude: 121.4805))
        #expect(route.toMerchantMetres == 0 && route.toCustomerMetres < 1)
        #expect(ETAEstimator().arrival(of: order, merchant: Self.merchant, route: route, now: 1_000) == 1_060, "at least a minute away")
    }

    // MARK: When an ETA is pushed

    @Test func smallShiftsAreNotPushed() {
        let rules = ETAPushRules(threshold: 300, minInterval: 600)
        #expect(!rules.shouldNotify(Self.confirmed, eta: 1_800 + 299, now: 5_000))
        #expect(rules.shouldNotify(Self.confirmed, eta: 1_800 + 300, now: 5_000))
        #expect(rules.shouldNotify(Self.confirmed, eta: 1_800 - 300, now: 5_000), "earlier counts as much as later")
    }

    @Test func pushesWaitForTheMinimumInterval() {
        var order = Self.confirmed
        order.notifiedETA = 2_000
        order.notifiedAt = 1_000
        let rules = ETAPushRules(threshold: 300, minInterval: 600)
        #expect(!rules.shouldNotify(order, eta: 4_000, now: 1_599))
        #expect(rules.shouldNotify(order, eta: 4_000, now: 1_600))
    }

    @Test func finishedOrdersAreNeverPushed() throws {
        let delivered = try Self.confirmed.applying(.deliver, at: 100).order
        #expect(!ETAPushRules().shouldNotify(delivered, eta: 99_999, now: 99_999))
    }

    @Test func theMachinePushesAShiftAndRemembersWhatItSaid() {
        let facts = ConversationFacts(now: 5_000, catalog: DemoCatalog.catalog)
        let step = ConversationMachine().step(customer: "o_a", state: .new(at: 0), input: .etaRefreshed(Self.confirmed, eta: 3_000), facts: facts)
        #expect(step.effects.contains(.push([.etaChanged(Self.confirmed, eta: 3_000)])))
        guard case .noteETA(let noted)? = step.effects.last else { Issue.record("expected the ETA noted"); return }
        #expect(noted.notifiedETA == 3_000 && noted.notifiedAt == 5_000)
    }
}
