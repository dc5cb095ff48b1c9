import Testing

@testable import DropMateCore

/// The machine alone: pure steps, no engine. The transcripts cover the flows end to end.
@Suite struct ConversationMachineTests {
    let machine = ConversationMachine()
    let start: Int64 = 1_800_000_000

    func facts(now: Int64? = nil, orders: [Order] = []) -> ConversationFacts {
        ConversationFacts(now: now ?? start, catalog: DemoCatalog.catalog, orders: orders)
    }

    @Test func aCompleteDraftAsksTheEngineToPlaceTheOrder() {
        var state = ConversationState.new(at: start)
        state.profile.phone = PhoneNumber("13800138000")
        var step = machine.step(customer: "o_a", state: state, input: .text("2 份牛肉面"), facts: facts())
        #expect(step.effects.isEmpty)
        #expect(step.replies.last == .askAddress(previous: nil))
        step = machine.step(
            customer: "o_a", state: step.state,
            input: .location(Coordinate(latitude: 31.22, longitude: 121.48), label: "人民广场"), facts: facts())
        guard case .placeOrder(let request)? = step.effects.first else {
            Issue.record("expected placeOrder, got \(step.effects)"); return
        }
        #expect(request.lines.map(\.quantity) == [2])
        #expect(request.address.coordinate != nil)
        #expect(step.replies.isEmpty, "the summary comes with the order, not before")
    }

    @Test func orderPlacedShowsTheSummaryAndWaitsForConfirmation() throws {
        let order = Order(
            id: 1001, customer: "o_a", merchantID: "lanzhou", lines: [], address: DeliveryAddress(text: "x"),
            phone: PhoneNumber("13800138000")!, language: .zh, createdAt: start)
        let step = machine.step(
            customer: "o_a", state: .new(at: start), input: .orderPlaced(order), facts: facts(orders: [order]))
        #expect(step.state.pendingOrderID == 1001 && step.state.hasOrders && step.state.draft == nil)
        guard case .orderSummary(let shown, _)? = step.replies.first else { Issue.record("no summary"); return }
        #expect(shown.id == 1001)
        let confirmed = machine.step(
            customer: "o_a", state: step.state, input: .text("确认"), facts: facts(orders: [order]))
        guard case .saveOrder(let saved)? = confirmed.effects.first else { Issue.record("no save"); return }
        #expect(saved.status == .confirmed && saved.promisedAt != nil)
        #expect(confirmed.state.pendingOrderID == nil)
    }

    @Test func anIdleDraftLapsesOnTheNextTickWithAPush() {
        let step = machine.step(customer: "o_a", state: .new(at: start), input: .text("2 份牛肉面"), facts: facts())
        let early = machine.step(customer: "o_a", state: step.state, input: .tick, facts: facts(now: start + 29 * 60))
        #expect(early.state.draft != nil && early.effects.isEmpty)
        let late = machine.step(customer: "o_a", state: step.state, input: .tick, facts: facts(now: start + 30 * 60))
        #expect(late.state.draft == nil)
        #expect(late.effects == [.push([.draftExpired])])
        #expect(late.replies.isEmpty)
    }

    @Test func languageFollowsTheCustomer() {
        let english = machine.step(customer: "o_a", state: .new(at: start), input: .text("menu"), facts: facts())
        #expect(english.state.language == .en)
        let chinese = machine.step(customer: "o_a", state: english.state, input: .text("菜单"), facts: facts())
        #expect(chinese.state.language == .zh)
        let neutral = machine.step(customer: "o_a", state: chinese.state, input: .text("13800138000"), facts: facts())
        #expect(neutral.state.language == .zh)
    }

    @Test func factsAreLoadedOnlyWhenNeeded() {
        var state = ConversationState.new(at: start)
        #expect(ConversationMachine.needs(.text("hi"), state: state) == FactNeeds(orders: false, board: false))
        #expect(ConversationMachine.needs(.text("留言板"), state: state) == FactNeeds(orders: false, board: true))
        state.hasOrders = true
        #expect(ConversationMachine.needs(.text("hi"), state: state).orders)
        #expect(
            !ConversationMachine.needs(.reportedLocation(Coordinate(latitude: 1, longitude: 1)), state: state).orders)
    }

    @Test func rendersClockTimesInTheBusinessTimeZone() {
        let renderer = ReplyRenderer(utcOffsetSeconds: 8 * 3600)
        #expect(renderer.clockTime(0) == "08:00")
        #expect(renderer.clockTime(16 * 3600 + 59 * 60) == "00:59")
        #expect(ReplyRenderer(utcOffsetSeconds: -5 * 3600).clockTime(3600) == "20:00")
    }
}
