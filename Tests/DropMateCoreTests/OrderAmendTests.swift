import Foundation
import Testing

@testable import DropMateCore

/// Changing an order after it was placed, the yes to "您是说牛肉面吗？", and the conversation staff notices carry.
@Suite struct OrderAmendTests {
    let machine = ConversationMachine()
    let start: Int64 = 1_800_000_000
    let catalog = DemoCatalog.catalog

    func item(_ id: String) -> CatalogItem { catalog.item(id: id)! }

    /// Order #1001: 2 beef noodles and 1 milk tea to 人民大道200号, in `status`.
    func placed(_ status: OrderStatus) -> Order {
        let lines = [item("beef-noodles"), item("milk-tea")].enumerated().map { index, item in
            OrderLine(itemID: item.id, name: item.name, quantity: index == 0 ? 2 : 1, unitPrice: item.price)
        }
        var order = Order(
            id: 1001, customer: "o_a", merchantID: item("beef-noodles").merchantID, lines: lines,
            address: DeliveryAddress(text: "人民大道200号"), phone: PhoneNumber("13800138000")!, language: .zh,
            createdAt: start)
        if status != .awaitingConfirmation {
            order = try! order.applying(.confirm(promisedAt: start + 1_800), at: start).order
        }
        if status == .dispatched { order = try! order.applying(.dispatch, at: start).order }
        return order
    }

    func state(for order: Order) -> ConversationState {
        var state = ConversationState.new(at: start)
        state.hasOrders = true
        state.profile.phone = order.phone
        if order.status == .awaitingConfirmation { state.pendingOrderID = order.id }
        return state
    }

    func step(
        _ text: String, _ state: ConversationState, orders: [Order] = [], at now: Int64? = nil
    ) -> ConversationStep {
        machine.step(
            customer: "o_a", state: state, input: .text(text),
            facts: ConversationFacts(now: now ?? start, catalog: catalog, orders: orders))
    }

    func rendered(_ step: ConversationStep) -> [String] {
        let replies = Replies(language: step.state.language, catalog: catalog, renderer: ReplyRenderer())
        return step.replies.map(replies.text(for:))
    }

    func placedRequest(_ step: ConversationStep) -> OrderRequest? {
        step.effects.lazy.compactMap { if case .placeOrder(let request) = $0 { request } else { nil } }.first
    }

    func saved(_ step: ConversationStep) -> [Order] {
        step.effects.compactMap { if case .saveOrder(let order) = $0 { order } else { nil } }
    }

    func notices(_ step: ConversationStep) -> [StaffNotice] {
        step.effects.compactMap { if case .notifyStaff(let notice) = $0 { notice } else { nil } }
    }

    // MARK: "您是说牛肉面吗？"

    @Test func aYesAddsWhatWasSuggestedWithTheMessagesOtherItems() {
        let asked = step("1杯奶茶 两碗牛柔面", .new(at: start))
        #expect(asked.state.draft == nil)
        #expect(rendered(asked).first == "您是说牛肉面吗？回复“是”加入：奶茶 ×1、牛肉面 ×2；不是的话请重新发送。")
        for yes in ["是", "对", "嗯", "是的", "yes"] {
            let answered = step(yes, asked.state)
            #expect(
                answered.state.draft?.lines.map { "\($0.itemID)×\($0.quantity)" } == ["milk-tea×1", "beef-noodles×2"],
                "\(yes)")
            #expect(answered.state.suggested == nil)
        }
    }

    @Test func aNoAddsNothingAndSaysSo() {
        let asked = step("牛柔面", .new(at: start))
        let declined = step("不是", asked.state)
        #expect(declined.state.draft == nil && declined.state.suggested == nil)
        #expect(declined.replies == [.answer(.suggestionDeclined)])
        #expect(rendered(declined) == ["好的，没有加入。请重新发送想点的菜，或发送“菜单”看看有什么。"])
    }

    @Test func anythingElseIsANewMessageAndTheQuestionIsDropped() {
        let asked = step("牛柔面", .new(at: start))
        let other = step("1杯奶茶", asked.state)
        #expect(other.state.draft?.lines.map(\.itemID) == ["milk-tea"])
        #expect(
            step("是", other.state).state.draft?.lines.map(\.itemID) == ["milk-tea"], "the suggestion is not added later"
        )
        let late = step("是", asked.state, at: start + SuggestedOrder.validFor + 1)
        #expect(late.state.draft == nil)
    }

    // MARK: The summary step

    @Test func anEditAtTheSummaryVoidsTheOrderAndPlacesTheChangedOne() {
        let order = placed(.awaitingConfirmation)
        let changed = step("奶茶改成3份", state(for: order), orders: [order])
        #expect(saved(changed).map { "\($0.id) \($0.status) \($0.cancelReason ?? "")" } == ["1001 cancelled changed"])
        #expect(
            placedRequest(changed)?.lines.map { "\($0.itemID)×\($0.quantity)" } == ["beef-noodles×2", "milk-tea×3"])
        #expect(changed.replies.first == .answer(.orderVoided(order)))
        #expect(changed.state.pendingOrderID == nil)
        let removed = step("不要奶茶了", state(for: order), orders: [order])
        #expect(placedRequest(removed)?.lines.map(\.itemID) == ["beef-noodles"])
    }

    @Test func anAddressOrPhoneChangeAtTheSummaryIsAskedForOrTaken() {
        let order = placed(.awaitingConfirmation)
        let wrong = step("地址错了", state(for: order), orders: [order])
        #expect(placedRequest(wrong) == nil)
        #expect(wrong.state.draft?.address == nil && wrong.state.draft?.lines == order.lines)
        #expect(wrong.replies.last == .askAddress(previous: nil))
        let phone = step("电话改成13900139000", state(for: order), orders: [order])
        #expect(placedRequest(phone)?.phone.digits == "13900139000")
        let moved = step("送到南京西路1266号", state(for: order), orders: [order])
        #expect(placedRequest(moved)?.address.text == "南京西路1266号")
    }

    @Test func aQuantityWithNoItemNamedAsksWhichWhenTheOrderHasSeveral() {
        let order = placed(.awaitingConfirmation)
        let asked = step("改成3份", state(for: order), orders: [order])
        #expect(asked.effects.isEmpty)
        #expect(asked.state.pendingOrderID == 1001 && asked.state.draft == nil)
        #expect(
            asked.replies == [
                .whichItemToChange(quantity: 3, items: [item("beef-noodles").name, item("milk-tea").name]),
                .pendingReminder(orderID: 1001),
            ])
        let confirmed = placed(.confirmed)
        let notOffered = step("make it 3", state(for: confirmed), orders: [confirmed])
        #expect(notOffered.effects.isEmpty && notOffered.state.amendAsked == nil)
    }

    @Test func anEditThatCannotApplyLeavesTheOrderWaiting() {
        let order = placed(.awaitingConfirmation)
        let refused = step("去掉茶叶蛋", state(for: order), orders: [order])
        #expect(refused.effects.isEmpty)
        #expect(refused.state.pendingOrderID == 1001 && refused.state.draft == nil)
        #expect(refused.replies == [.itemNotInOrder(item("tea-egg").name), .pendingReminder(orderID: 1001)])
    }

    // MARK: A confirmed order

    @Test func aConfirmedOrderIsOfferedACancelAndReorderAndStaffAreTold() {
        let order = placed(.confirmed)
        let offered = step("奶茶改成3份", state(for: order), orders: [order])
        #expect(saved(offered).isEmpty && placedRequest(offered) == nil)
        #expect(notices(offered).map(\.reason) == [.change])
        #expect(offered.state.amendAsked?.draft.lines.map(\.quantity) == [2, 3])
        #expect(
            rendered(offered).first?.hasPrefix(
                "订单 #1001 已确认，我这边不能直接修改（已通知工作人员）。要取消 #1001 并按修改后的内容重新下单吗？修改后：牛肉面 ×2、奶茶 ×3") == true)

        let yes = step("确定", offered.state, orders: [order])
        #expect(saved(yes).map { "\($0.status) \($0.cancelReason ?? "")" } == ["cancelled customer"])
        #expect(notices(yes).map(\.reason) == [.cancelled])
        #expect(placedRequest(yes)?.lines.map(\.quantity) == [2, 3])
        #expect(yes.state.amendAsked == nil)

        let no = step("不用了", offered.state, orders: [order])
        #expect(no.effects.isEmpty && no.state.draft == nil)
        #expect(no.replies == [.answer(.changeKept(order))])
    }

    @Test func aNewAddressForAConfirmedOrderIsAskedForAfterTheYes() {
        let order = placed(.confirmed)
        let offered = step("地址错了", state(for: order), orders: [order])
        #expect(offered.state.amendAsked?.draft.address == nil)
        let yes = step("好的", offered.state, orders: [order])
        #expect(placedRequest(yes) == nil)
        #expect(yes.state.draft?.lines == order.lines && yes.state.draft?.address == nil)
        #expect(yes.replies.last == .askAddress(previous: nil))
    }

    @Test func aDispatchedOrderIsTooLateToChange() {
        let order = placed(.dispatched)
        let late = step("改成3份", state(for: order), orders: [order])
        #expect(late.effects.isEmpty && late.state.amendAsked == nil)
        #expect(rendered(late) == ["订单 #1001 骑手已出发，已经来不及修改了。需要帮忙请发“人工客服”。"])
    }

    @Test func aNewPhoneWithNothingOrderedIsRemembered() {
        let saved = step("电话改成13900139000", .new(at: start))
        #expect(saved.state.profile.phone?.digits == "13900139000")
    }

    // MARK: The conversation staff see

    @Test func staffNoticesCarryTheEarlierConversationBounded() {
        var state = ConversationState.new(at: start)
        var now = start
        for text in ["1份牛肉面", "人民大道200号", "多少钱", String(repeating: "很长的话", count: 40), "人工客服"] {
            now += 120  // a minute apart: every step is written, so every line is kept
            state = step(text, state, at: now).state
        }
        let recent = state.recent ?? []
        #expect(recent.count == StepInProgress.recentLimit)
        #expect(recent.allSatisfy { $0.count <= StepInProgress.recentLength + 2 })
        #expect(recent.contains("> " + String(repeating: "很长的话", count: 15)) == false)
        #expect(recent.contains { $0.hasPrefix("> 很长的话") && $0.hasSuffix("…") })
        let handoff = step("人工客服", ConversationState.new(at: start).with(recent: ["> 到哪了", "< 订单 #1001：已确认"]))
        let notice = notices(handoff).first
        #expect(notice?.recent == ["> 到哪了", "< 订单 #1001：已确认"])
        let text = ReplyRenderer().staffText(notice!, catalog: catalog)
        #expect(text.hasSuffix("最近对话 Recent conversation:\n顾客 customer: 到哪了\nDropMate: 订单 #1001：已确认"))
    }

    @Test func theLinesStaySmallWhenStored() throws {
        var state = ConversationState.new(at: start)
        for index in 1...12 {
            state = step(String(repeating: "我想问一下这个订单", count: 20), state, at: start + Int64(index) * 120).state
        }
        let recent = try #require(state.recent)
        #expect(recent.count == StepInProgress.recentLimit)
        // At most six lines of 62 characters of 3 UTF-8 bytes, with JSON's quotes and commas: it is written with the state.
        #expect(
            try JSONEncoder().encode(recent).count <= StepInProgress.recentLimit
                * ((StepInProgress.recentLength + 2) * 3 + 3) + 2)
    }

    @Test func chitChatThatChangesNothingWritesNoLine() {
        var state = ConversationState.new(at: start)
        state = step("1份牛肉面", state).state
        let before = state.recent
        let menu = step("菜单", state, at: start + 10)
        #expect(menu.state.recent == before)
        #expect(!menu.state.needsSaving(comparedWith: state), "the ring adds no write")
    }
}

extension ConversationState {
    func with(recent: [String]) -> ConversationState {
        var copy = self
        copy.recent = recent
        return copy
    }
}
