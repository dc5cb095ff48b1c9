import DropMateCivilTime
import Testing

@testable import DropMateCore

/// Public posts waiting for review: the machine marks them held and tells the customer; the engine learns the
/// setting for every message that may be a post.
@Suite struct BoardModerationTests {
    let machine = ConversationMachine()
    let start: Int64 = 1_800_000_000

    @Test func aMessageThatMayBeAPostAsksWhetherPostsAreHeld() {
        let state = ConversationState.new(at: start)
        for text in ["留言 好吃", "Post hello", "board post hi", "POST: x", "ｐｏｓｔ hi"] {
            #expect(ConversationMachine.needs(.text(text), state: state).boardModeration, "\(text)")
        }
        for text in ["2 份牛肉面", "菜单", "hi"] {
            #expect(!ConversationMachine.needs(.text(text), state: state).boardModeration, "\(text)")
        }
    }

    @Test func aPublicPostIsHeldAndTheCustomerIsToldWhileAPostAboutAnOrderIsNot() {
        var facts = ConversationFacts(now: start, catalog: DemoCatalog.catalog)
        facts.boardHoldsPosts = true
        let held = machine.step(customer: "o_a", state: .new(at: start), input: .text("留言 好吃"), facts: facts)
        #expect(held.replies == [.boardPostHeld])
        #expect(held.effects == [.post(BoardPostRequest(customer: "o_a", orderID: nil, body: "好吃", held: true))])
        #expect(
            ReplyRenderer().render([.boardPostHeld], language: .en, catalog: DemoCatalog.catalog)
                == .text("Thanks! Your post will appear on the message board once our staff have reviewed it."))

        let order = Order(
            id: 1001, customer: "o_a", merchantID: "lanzhou", lines: [], address: DeliveryAddress(text: "x"),
            phone: PhoneNumber("13800138000")!, language: .zh, createdAt: start)
        facts.orders = [order]
        var state = ConversationState.new(at: start)
        state.hasOrders = true
        let aboutOrder = machine.step(customer: "o_a", state: state, input: .text("留言 请放门口"), facts: facts)
        #expect(aboutOrder.replies == [.boardPosted(orderID: 1001)])
        #expect(
            aboutOrder.effects == [.post(BoardPostRequest(customer: "o_a", orderID: 1001, body: "请放门口", held: false))])

        facts.orders = []
        facts.boardHoldsPosts = false
        let open = machine.step(customer: "o_a", state: .new(at: start), input: .text("留言 好吃"), facts: facts)
        #expect(open.replies == [.boardPosted(orderID: nil)])
    }

    @Test func theBoardPageTimeSaysTheDate() {
        let renderer = ReplyRenderer(utcOffsetSeconds: 8 * 3600)
        // 2026-11-24 23:59 UTC is 07:59 on the 25th in Shanghai.
        #expect(renderer.dateTime(1_795_564_740) == "2026-11-25 07:59")
        let leap = CivilTime(951_825_600)
        #expect([leap.year, leap.month, leap.day, leap.hour, leap.minute, leap.second] == [2000, 2, 29, 12, 0, 0])
    }
}
