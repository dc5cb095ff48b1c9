import Testing

@testable import DropMateCore

@Suite struct CourierTests {
    static let merchant = DemoCatalog.catalog.merchants[0]
    static let confirmed: Order = {
        var order = Order(
            id: 1001, customer: "o_a", merchantID: merchant.id,
            lines: [
                OrderLine(
                    itemID: "beef-noodles", name: LocalizedText(zh: "牛肉面", en: "beef noodles"), quantity: 1,
                    unitPrice: Money(fen: 1800))
            ],
            address: DeliveryAddress(text: "人民广场", coordinate: Coordinate(latitude: 31.2243, longitude: 121.4805)),
            phone: PhoneNumber("13800138000")!, language: .zh, createdAt: 0
        )
        order = try! order.applying(.confirm(promisedAt: 1_800), at: 0).order
        return order
    }()

    // MARK: Order lifecycle with a courier

    @Test func assigningDispatchesToTheCourierAndPickingUpIsRecorded() throws {
        let assigned = try Self.confirmed.applying(.assign(courierID: 7, courierName: "王师傅"), at: 120).order
        #expect(
            assigned.status == .dispatched && assigned.courierID == 7 && assigned.courierName == "王师傅"
                && assigned.dispatchedAt == 120)
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
        #expect(throws: OrderTransitionError.notAllowed(from: .confirmed, command: "pick up")) {
            try Self.confirmed.applying(.pickUp, at: 10)
        }
    }

    // MARK: Courier commands

    @Test(arguments: [
        ("任务", CourierIntent.deliveries), ("deliveries", .deliveries), ("取件 #1001", .action(.pickUp, orderID: 1001)),
        ("已取件1001", .action(.pickUp, orderID: 1001)), ("picked up #1001", .action(.pickUp, orderID: 1001)),
        ("取件", .action(.pickUp, orderID: nil)),
        ("送达 #1002", .action(.deliver, orderID: 1002)), ("Delivered 1002", .action(.deliver, orderID: 1002)),
        ("解绑", .unbind),
        ("取件 #abc", .other), ("你好", .other),
    ])
    func courierCommandsAreRead(_ text: String, _ intent: CourierIntent) {
        #expect(CourierIntent.parse(text) == intent)
    }

    @Test func bindingCodeAttemptsAreReadInAnyCaseAfterTheKeyword() {
        let parser = IntentParser(catalog: DemoCatalog.catalog)
        #expect(parser.parse("绑定 K7M2Q9PX") == .bindCourier(code: "K7M2Q9PX"))
        #expect(parser.parse("绑定k7m2q9px") == .bindCourier(code: "K7M2Q9PX"))
        #expect(parser.parse("bind #k7m2q9px") == .bindCourier(code: "K7M2Q9PX"))
        #expect(parser.parse("绑定 K7M2 Q9PX") == .bindCourier(code: "K7M2Q9PX"))
        #expect(parser.parse("bind k7m2-q9px") == .bindCourier(code: "K7M2Q9PX"))
        #expect(
            parser.parse("bind my account") != .bindCourier(code: "MYACCOUNT"),
            "split up, only a real code's shape counts")
        #expect(
            parser.parse("bind 482913") == .bindCourier(code: "482913"),
            "an old six-digit guess is an attempt too (and counted)")
        #expect(parser.parse("bindings") != .bindCourier(code: "INGS"), "an English keyword needs a space")
        #expect(parser.parse("bind 12") != .bindCourier(code: "12"))
    }

    @Test func randomBindingCodesUseOnlyTheUnambiguousAlphabet() {
        let codes = (0..<200).map { _ in BindingCodePolicy.standard.randomCode() }
        #expect(codes.allSatisfy { $0.count == 8 && $0.allSatisfy(BindingCodePolicy.alphabet.contains) })
        #expect(Set(codes).count == codes.count)
        #expect(
            !BindingCodePolicy.alphabet.contains("0") && !BindingCodePolicy.alphabet.contains("O")
                && !BindingCodePolicy.alphabet.contains("I")
                && !BindingCodePolicy.alphabet.contains("L") && !BindingCodePolicy.alphabet.contains("1"))
    }

    // MARK: Who sees a whole phone number

    @Test func onlyAdminsAndTheCourierOfADispatchedOrderSeeTheWholeNumber() throws {
        let assigned = try Self.confirmed.applying(.assign(courierID: 7, courierName: "A"), at: 120).order
        #expect(assigned.phone(shownTo: .admin) == "13800138000")
        #expect(assigned.phone(shownTo: .dispatcher) == "138****8000")
        #expect(assigned.phone(shownTo: .courier(id: 7)) == "13800138000")
        #expect(assigned.phone(shownTo: .courier(id: 8)) == "138****8000")
        #expect(assigned.phone(shownTo: .courier(id: nil)) == "138****8000")
        #expect(Self.confirmed.phone(shownTo: .courier(id: 7)) == "138****8000", "not dispatched to them (yet)")
        let delivered = try assigned.applying(.deliver, at: 900).order
        #expect(delivered.phone(shownTo: .courier(id: 7)) == "138****8000", "delivered: no longer theirs to call")
    }

    // MARK: ETA from the courier's position

    @Test func aCourierFarFromTheShopMakesTheArrivalLater() {
        let assigned = try! Self.confirmed.applying(.assign(courierID: 7, courierName: "A"), at: 0).order
        let estimator = ETAEstimator()
        let near = estimator.arrival(
            of: assigned, merchant: Self.merchant,
            route: RemainingRoute(toMerchantMetres: 300, toCustomerMetres: 1_500), now: 60)
        let far = estimator.arrival(
            of: assigned, merchant: Self.merchant,
            route: RemainingRoute(toMerchantMetres: 9_000, toCustomerMetres: 1_500), now: 60)
        let ready = Int64(Self.merchant.preparationMinutes * 60)
        #expect(near == ready + Int64(estimator.travelMinutes(metres: 1_500) * 60), "a near courier waits for the food")
        #expect(
            far == 60 + Int64(estimator.travelMinutes(metres: 9_000) * 60 + estimator.travelMinutes(metres: 1_500) * 60)
        )
    }

    @Test func afterPickupOnlyTheRoadToTheCustomerCounts() {
        var order = try! Self.confirmed.applying(.assign(courierID: 7, courierName: "A"), at: 0).order
        order = try! order.applying(.pickUp, at: 900).order
        let route = ETAEstimator().remainingRoute(
            of: order, merchant: Self.merchant, courierAt: Coordinate(latitude: 31.2243, longitude: 121.4805))
        #expect(route.toMerchantMetres == 0 && route.toCustomerMetres < 1)
        #expect(
            ETAEstimator().arrival(of: order, merchant: Self.merchant, route: route, now: 1_000) == 1_060,
            "at least a minute away")
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
        let step = ConversationMachine().step(
            customer: "o_a", state: .new(at: 0), input: .etaRefreshed(Self.confirmed, eta: 3_000), facts: facts)
        #expect(step.effects.contains(.push([.etaChanged(Self.confirmed, eta: 3_000)])))
        guard case .noteETA(let noted)? = step.effects.last else { Issue.record("expected the ETA noted"); return }
        #expect(noted.notifiedETA == 3_000 && noted.notifiedAt == 5_000)
    }
}
