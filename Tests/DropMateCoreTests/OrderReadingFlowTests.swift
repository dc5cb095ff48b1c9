import Testing

@testable import DropMateCore

/// How the flow uses what the order parser reads: notes kept and shown, near-names asked about, edits applied to the
/// draft, an address and a phone taken from one message. (The conversation-flow work of issue 17 builds on this.)
@Suite struct OrderReadingFlowTests {
    let machine = ConversationMachine()
    let start: Int64 = 1_800_000_000
    var facts: ConversationFacts { ConversationFacts(now: start, catalog: DemoCatalog.catalog) }

    func say(_ texts: [String], state: ConversationState? = nil) -> ConversationStep {
        var step = ConversationStep(state: state ?? .new(at: start))
        for text in texts { step = machine.step(customer: "o_a", state: step.state, input: .text(text), facts: facts) }
        return step
    }

    func rendered(_ step: ConversationStep) -> [String] {
        let replies = Replies(language: step.state.language, catalog: DemoCatalog.catalog, renderer: ReplyRenderer())
        return step.replies.map(replies.text(for:))
    }

    @Test func aNoteStaysWithItsItemAndIsShown() {
        let step = say(["我要两碗牛肉面，不要香菜"])
        #expect(step.state.draft?.lines.map(\.note) == ["不要香菜"])
        #expect(rendered(step).first == "已加入订单：牛肉面 ×2（不要香菜），合计 ¥36.00")
    }

    @Test func aNoteForAnItemAlreadyOrderedDoesNotAddAnother() {
        let step = say(["2份牛肉面 1杯奶茶", "奶茶去冰"])
        #expect(
            step.state.draft?.lines.map { "\($0.itemID)×\($0.quantity)\($0.note ?? "")" } == [
                "beef-noodles×2", "milk-tea×1去冰",
            ])
    }

    @Test func aNearNameIsAskedAboutAndNothingIsAdded() {
        let step = say(["两碗牛柔面"])
        #expect(step.state.draft == nil)
        #expect(rendered(step).first == "您是说牛肉面吗？回复“是”加入：牛肉面 ×2；不是的话请重新发送。")
    }

    @Test func editsChangeTheDraft() {
        var step = say(["2份牛肉面 1杯奶茶", "牛肉面改成1份"])
        #expect(step.state.draft?.lines.map(\.quantity) == [1, 1])
        #expect(rendered(step).first == "已修改订单：牛肉面 ×1、奶茶 ×1，合计 ¥30.00")
        step = say(["去掉奶茶"], state: step.state)
        #expect(step.state.draft?.lines.map(\.itemID) == ["beef-noodles"])
        step = say(["再来一份"], state: step.state)
        #expect(step.state.draft?.lines.map(\.quantity) == [2])
        step = say(["make it 3"], state: step.state)
        #expect(step.state.draft?.lines.map(\.quantity) == [3])
        step = say(["去掉一碗牛肉面"], state: step.state)
        #expect(step.state.draft?.lines.map(\.quantity) == [2])
        step = say(["make it 3"], state: step.state)
        step = say(["不要香菜"], state: step.state)
        #expect(step.state.draft?.note == "不要香菜")
        step = say(["去掉牛肉面"], state: step.state)
        #expect(step.state.draft == nil)
        #expect(step.replies == [.draftCancelled])
    }

    @Test func anEditWithNothingToEditSaysSo() {
        #expect(say(["去掉奶茶"]).replies == [.nothingToEdit])
        #expect(say(["1份牛肉面", "去掉奶茶"]).replies.first == .itemNotInOrder(DemoCatalog.catalog.items[1].name))
    }

    @Test func anAddressAndAPhoneInOneMessageFillBoth() {
        var step = say(["1份牛肉面", "南京西路1266号 恒隆广场 13800138000"])
        guard case .placeOrder(let request)? = step.effects.first else {
            Issue.record("no order: \(step.replies)"); return
        }
        #expect(request.address.text == "南京西路1266号 恒隆广场")
        #expect(request.phone.digits == "13800138000")
        step = say(["1份牛肉面 送到南京西路1266号 电话13800138000"])
        guard case .placeOrder(let second)? = step.effects.first else {
            Issue.record("no order: \(step.replies)"); return
        }
        #expect(second.address.text == "南京西路1266号" && second.lines.map(\.quantity) == [1])
    }

    @Test func anOrderNoteGoesWithThePlacedOrder() {
        var state = ConversationState.new(at: start)
        state.profile.phone = PhoneNumber("13800138000")
        let step = say(["不要香菜，两碗牛肉面 送到人民大道200号"], state: state)
        guard case .placeOrder(let request)? = step.effects.first else {
            Issue.record("no order: \(step.replies)"); return
        }
        #expect(request.note == "不要香菜")
        #expect(request.order(id: 1, createdAt: start).note == "不要香菜")
    }

    @Test func aHugeQuantityIsRefusedNotAddedUp() {
        let step = say(["1份牛肉面", "99999999999999999999份牛肉面", "牛肉面 x 9999999999 牛肉面 x 9999999999"])
        #expect(step.state.draft?.lines.map(\.quantity) == [1])
        guard case .quantityOutOfRange(_, let quantity, _)? = step.replies.first else {
            Issue.record("\(step.replies)"); return
        }
        #expect(quantity > 20)
    }

    @Test func anAddressGivenWithThePhoneAtThePhoneStepIsTheOneUsed() {
        let step = say(["1份牛肉面", "人民大道200号", "南京西路1266号 恒隆广场 13800138000"])
        guard case .placeOrder(let request)? = step.effects.first else {
            Issue.record("no order: \(step.replies)"); return
        }
        #expect(request.address.text == "南京西路1266号 恒隆广场")
    }

    @Test func aTakenMisspellingIsSaidBackBeforeTheSummary() {
        let step = say(["2 beef noodels"])
        #expect(
            rendered(step).prefix(2) == [
                "(Taking \"beef noodels\" as beef noodles.)", "Added to your order: beef noodles ×2, total ¥36.00",
            ])
    }
}
