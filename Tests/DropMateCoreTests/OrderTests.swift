import Testing

@testable import DropMateCore

@Suite struct OrderTests {
    let order = Order(
        id: 1001, customer: "o_a", merchantID: "lanzhou",
        lines: [
            OrderLine(
                itemID: "beef-noodles", name: LocalizedText(zh: "牛肉面", en: "beef noodles"), quantity: 2,
                unitPrice: Money(fen: 1800))
        ],
        address: DeliveryAddress(text: "somewhere"), phone: PhoneNumber("13800138000")!, language: .zh, createdAt: 100
    )

    @Test func followsItsLifecycle() throws {
        let confirmed = try order.applying(.confirm(promisedAt: 2000), at: 200).order
        #expect(confirmed.status == .confirmed && confirmed.confirmedAt == 200 && confirmed.promisedAt == 2000)
        let dispatched = try confirmed.applying(.dispatch, at: 300).order
        #expect(dispatched.status == .dispatched && dispatched.dispatchedAt == 300)
        let delivered = try dispatched.applying(.deliver, at: 900).order
        #expect(delivered.status == .delivered && delivered.deliveredAt == 900)
    }

    @Test func repeatingACommandChangesNothing() throws {
        let confirmed = try order.applying(.confirm(promisedAt: 2000), at: 200).order
        #expect(try confirmed.applying(.confirm(promisedAt: 9999), at: 500) == .unchanged(confirmed))
        let cancelled = try confirmed.applying(.cancel(reason: "customer"), at: 300).order
        #expect(try cancelled.applying(.cancel(reason: "again"), at: 400) == .unchanged(cancelled))
    }

    @Test func refusesImpossibleMoves() throws {
        #expect(throws: OrderTransitionError.notAllowed(from: .awaitingConfirmation, command: "dispatch")) {
            try order.applying(.dispatch, at: 1)
        }
        let cancelled = try order.applying(.cancel(reason: "x"), at: 1).order
        #expect(throws: OrderTransitionError.notAllowed(from: .cancelled, command: "confirm")) {
            try cancelled.applying(.confirm(promisedAt: 1), at: 2)
        }
        let delivered = try order.applying(.confirm(promisedAt: 1), at: 1).order.applying(.deliver, at: 2).order
        #expect(throws: OrderTransitionError.self) { try delivered.applying(.cancel(reason: "late"), at: 3) }
    }

    @Test func totalsInFen() {
        #expect(order.total == Money(fen: 3600))
        #expect("\(Money(fen: 3600))" == "¥36.00")
        #expect("\(Money(fen: 305))" == "¥3.05")
        #expect("\(Money(fen: -50))" == "-¥0.50")
    }
}

@Suite struct ETAEstimatorTests {
    let estimator = ETAEstimator()
    let merchant = DemoCatalog.noodleHouse

    @Test func usesDistanceWhenTheCustomerSharedALocation() {
        // ~950 m east
        let near = DeliveryAddress(text: "", coordinate: Coordinate(latitude: 31.2304, longitude: 121.4837))
        let metres = estimator.roadDistance(from: merchant, to: near)
        #expect(metres > 1_150 && metres < 1_350)
        #expect(estimator.travelMinutes(metres: metres) == 5)
    }

    @Test func assumesThreeKilometresForATypedAddress() {
        #expect(estimator.roadDistance(from: merchant, to: DeliveryAddress(text: "x")) == 3_000)
    }

    @Test func arrivalFollowsTheOrderStatus() throws {
        var order = Order(
            id: 1, customer: "c", merchantID: merchant.id, lines: [], address: DeliveryAddress(text: "x"),
            phone: PhoneNumber("13800138000")!, language: .zh, createdAt: 0)
        // Awaiting confirmation: preparation (12) + pickup (5) + riding (10) from now.
        #expect(estimator.arrival(of: order, merchant: merchant, now: 1000) == Int64(1000 + 27 * 60))
        order = try order.applying(.confirm(promisedAt: 0), at: 1000).order
        #expect(estimator.arrival(of: order, merchant: merchant, now: 1300) == Int64(1000 + 27 * 60))
        order = try order.applying(.dispatch, at: 2000).order
        #expect(estimator.arrival(of: order, merchant: merchant, now: 2000) == Int64(2000 + 10 * 60))
        // A late courier never shows an arrival in the past.
        #expect(estimator.arrival(of: order, merchant: merchant, now: 9000) == Int64(9000 + 60))
        order = try order.applying(.deliver, at: 2500).order
        #expect(estimator.arrival(of: order, merchant: merchant, now: 2600) == nil)
    }
}
