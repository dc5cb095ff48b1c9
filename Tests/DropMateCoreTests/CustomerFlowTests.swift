import Testing

@testable import DropMateCore

/// Issue 17's conversation pieces, machine alone: questions at any step, a person when asked, the language that
/// sticks, a yes before a confirmed order is cancelled, and no replies that contradict each other.
@Suite struct CustomerFlowTests {
    let machine = ConversationMachine()
    let start: Int64 = 1_800_000_000
    let catalog = DemoCatalog.catalog

    func facts(now: Int64? = nil, orders: [Order] = [], deliveries: [Order] = []) -> ConversationFacts {
        ConversationFacts(now: now ?? start, catalog: catalog, orders: orders, deliveries: deliveries)
    }

    func order(_ id: Int64, _ status: OrderStatus, customer: String = "o_a") -> Order {
        var order = Order(
            id: id, customer: customer, merchantID: "lanzhou",
            lines: [
                OrderLine(
                    itemID: "beef-noodles", name: LocalizedText(zh: "牛肉面", en: "beef noodles"), quantity: 1,
                    unitPrice: Money(fen: 1800))
            ],
            address: DeliveryAddress(text: "人民广场"), phone: PhoneNumber("13800138000")!, language: .zh, createdAt: start)
        order.status = status
        return order
    }

    func say(_ text: String, _ state: ConversationState, _ facts: ConversationFacts? = nil) -> ConversationStep {
        machine.step(customer: "o_a", state: state, input: .text(text), facts: facts ?? self.facts())
    }

    // MARK: 1. questions

    @Test(arguments: [
        ("多少钱？", CustomerQuestion.price(itemIDs: [])), ("奶茶多少钱", .price(itemIDs: ["milk-tea"])),
        ("how much is the milk tea", .price(itemIDs: ["milk-tea"])),
        ("请问几点关门呀", .openingHours), ("what time do you close?", .openingHours), ("营业时间", .openingHours),
        ("可以货到付款吗", .payment), ("怎么付款", .payment), ("how do I pay", .payment),
        ("有什么推荐", .recommendations), ("what do you recommend", .recommendations),
        ("谢谢", .thanks), ("谢谢你！", .thanks), ("thank you", .thanks),
        ("人工客服", .human), ("转人工", .human), ("human", .human), ("talk to a person", .human),
        ("催单", .hurry), ("hurry up please", .hurry), ("退款", .refund), ("发票", .invoice), ("I need an invoice", .invoice),
        ("多久能到", .deliveryTime), ("我的外卖呢", .deliveryTime), ("怎么还没到", .deliveryTime), ("how long", .deliveryTime),
        ("骑手电话多少", .courierPhone), ("what's the courier's number?", .courierPhone),
    ])
    func questionsAreRead(_ text: String, _ question: CustomerQuestion) {
        #expect(CustomerQuestion.parse(text, catalog: catalog) == question)
    }

    @Test(arguments: [
        "我要两份牛肉面，谢谢", "2 份牛肉面", "来两份招牌牛肉面", "coffee please", "留言 人工客服太慢了", "黄浦区福州路500号", "menu", "今日推荐",
        "steak tea price",
    ])
    func ordersAddressesAndPostsAreNoQuestions(_ text: String) {
        let question = CustomerQuestion.parse(text, catalog: catalog)
        if text == "steak tea price" { #expect(question == .price(itemIDs: ["milk-tea"])); return }
        #expect(question == nil)
    }

    @Test func aQuestionAtThePhoneStepIsAnsweredAndThePromptRepeated() {
        let draft = say("2 份牛肉面", .new(at: start))
        let addressed = say("黄浦区福州路500号", draft.state)
        #expect(addressed.replies.last == .askPhone)
        for question in ["多少钱", "几点关门", "可以货到付款吗", "有什么推荐"] {
            let step = say(question, addressed.state)
            #expect(step.replies.last == .askPhone, "\(question)")
            #expect(!step.replies.contains(.invalidPhone), "\(question)")
            #expect(step.state.draft == addressed.state.draft, "the draft is kept")
        }
        #expect(say("多少钱", addressed.state).replies.first == .answer(.draftTotal(addressed.state.draft!)))
    }

    @Test func openingHoursComeFromTheMerchants() {
        let renderer = ReplyRenderer()
        let around = renderer.text(
            for: .answer(.openingHours(catalog.merchantsInAdOrder)), language: .zh, catalog: catalog)
        #expect(around == "兰州牛肉面馆、幸福饺子馆全天接单，随时可以点。")
        var noodles = DemoCatalog.noodleHouse
        noodles.rules = ShopRules(hours: .daily([OpeningInterval(opens: 600, closes: 1320)]))
        let set = renderer.text(
            for: .answer(.openingHours([noodles, DemoCatalog.dumplings])), language: .en, catalog: catalog)
        #expect(set == "Opening hours:\n· Lanzhou Noodle House daily 10:00-22:00\n· Happy Dumplings around the clock")
        var weekdays = WeeklyHours.daily([OpeningInterval(opens: 600, closes: 1320)])
        weekdays[.sunday] = []
        weekdays[.saturday] = [OpeningInterval(opens: 600, closes: 840), OpeningInterval(opens: 1020, closes: 120)]
        noodles.rules = ShopRules(hours: weekdays)
        let week = renderer.text(for: .answer(.openingHours([noodles])), language: .zh, catalog: catalog)
        #expect(
            week
                == "营业时间：\n· 兰州牛肉面馆 周一 10:00-22:00；周二 10:00-22:00；周三 10:00-22:00；周四 10:00-22:00；周五 10:00-22:00；周六 10:00-14:00、17:00-02:00；周日 休息"
        )
    }

    @Test func theCourierIsNamedButTheirNumberIsNotGiven() {
        var dispatched = order(1001, .dispatched)
        dispatched.courierName = "王师傅"
        var state = ConversationState.new(at: start)
        state.hasOrders = true
        let step = say("骑手电话多少", state, facts(orders: [dispatched]))
        #expect(step.replies == [.answer(.courierWillCall(dispatched, phone: dispatched.phone))])
        #expect(say("骑手电话多少", state, facts(orders: [order(1001, .confirmed)])).replies == [.answer(.noCourierYet)])
    }

    // MARK: 2. a person

    @Test func askingForAPersonTellsStaffAndKeepsTheBotQuiet() {
        let draft = say("2 份牛肉面", .new(at: start))
        let handed = say("人工客服", draft.state)
        #expect(handed.state.handoffUntil == start + 30 * 60)
        #expect(handed.state.draft == draft.state.draft)
        guard case .notifyStaff(let notice)? = handed.effects.first else {
            Issue.record("staff not told: \(handed.effects)"); return
        }
        #expect(notice.reason == .handoff && notice.message == "人工客服" && notice.draft == draft.state.draft)
        // Once "已转人工，请稍候", then quiet; every message still goes to staff.
        let first = say("2 份牛肉面", handed.state)
        #expect(first.replies == [.answer(.handoffWaiting)])
        #expect(first.state.draft == draft.state.draft, "the bot did not act on it")
        let second = say("到哪了", first.state)
        #expect(second.replies.isEmpty)
        guard case .notifyStaff(let forwarded)? = second.effects.first else { Issue.record("not forwarded"); return }
        #expect(forwarded.reason == .message && forwarded.message == "到哪了")
        // After the handoff time the bot answers again.
        let later = say("菜单", second.state, facts(now: start + 31 * 60))
        #expect(later.state.handoffUntil == nil && !later.replies.isEmpty)
    }

    @Test func theHandoffTimeIsConfigurableAndTheCustomerCanEndIt() {
        let rules = ConversationRules(handoff: 5 * 60)
        let handed = machine.step(
            customer: "o_a", state: .new(at: start), input: .text("human"),
            facts: ConversationFacts(now: start, catalog: catalog, rules: rules))
        #expect(handed.state.handoffUntil == start + 5 * 60)
        #expect(handed.replies == [.answer(.handoffStarted(minutes: 5))])
        let back = say("back to bot", handed.state)
        #expect(back.state.handoffUntil == nil && back.replies.first == .answer(.handoffEnded))
    }

    @Test func hurryingGivesTheETAAndTellsStaff() {
        var state = ConversationState.new(at: start)
        state.hasOrders = true
        let step = say("催单", state, facts(orders: [order(1001, .confirmed)]))
        guard case .orderStatus(let lines)? = step.replies.first else {
            Issue.record("no ETA: \(step.replies)"); return
        }
        #expect(lines.map(\.order.id) == [1001])
        #expect(step.replies.contains(.answer(.hurried)))
        guard case .notifyStaff(let notice)? = step.effects.first else { Issue.record("staff not told"); return }
        #expect(notice.reason == .hurry && notice.orders.map(\.id) == [1001])
        // Once is enough for staff to act on: a second 催单 soon after gets the ETA but tells them nothing new.
        let again = say("催单", step.state, facts(now: start + 60, orders: [order(1001, .confirmed)]))
        #expect(again.effects.isEmpty && again.replies.contains(.answer(.hurriedAlready)))
        let later = say("催单", step.state, facts(now: start + 11 * 60, orders: [order(1001, .confirmed)]))
        #expect(later.effects.count == 1)
    }

    // MARK: 3. language

    @Test(arguments: ["ok", "OK", "hi", "thx", "123", "13800138000", "#1001", "👍", "好", "嗯", "ok 👌"])
    func neutralMessagesChooseNoLanguage(_ text: String) {
        #expect(Language.intended(text) == nil)
    }

    @Test(arguments: [
        ("where is my order", Language.en), ("menu", .en), ("order 2 beef noodles", .en), ("到哪了", .zh), ("牛肉面 x2", .zh),
        ("好的", .zh),
    ])
    func wholeMessagesChooseTheirLanguage(_ text: String, _ language: Language) {
        #expect(Language.intended(text) == language)
    }

    @Test func oneEnglishOkKeepsAChineseCustomerChinese() {
        let chinese = say("菜单", .new(at: start))
        #expect(chinese.state.language == .zh && chinese.state.languageSettled == true)
        let ok = say("ok", chinese.state)
        #expect(ok.state.language == .zh)
        let english = say("where is my order", ok.state)
        #expect(english.state.language == .en)
        // Before the customer ever wrote with intent, a first "hi" is still answered in its language.
        #expect(say("hi", .new(at: start)).state.language == .en)
    }

    // MARK: 4. cancelling a confirmed order

    @Test func cancellingAConfirmedOrderAsksOnceAndOnlyAYesCancels() {
        let confirmed = order(1004, .confirmed)
        var state = ConversationState.new(at: start)
        state.hasOrders = true
        let asked = say("不要了", state, facts(orders: [confirmed]))
        #expect(asked.replies == [.answer(.confirmCancel(confirmed))])
        #expect(asked.effects.isEmpty)
        let kept = say("不", asked.state, facts(orders: [confirmed]))
        #expect(
            kept.replies == [.answer(.cancelKept(confirmed))] && kept.effects.isEmpty && kept.state.cancelAsked == nil)
        let again = say("取消", kept.state, facts(orders: [confirmed]))
        let yes = say("确定", again.state, facts(orders: [confirmed]))
        guard case .saveOrder(let cancelled)? = yes.effects.first else {
            Issue.record("not cancelled: \(yes.effects)"); return
        }
        #expect(cancelled.status == .cancelled && cancelled.cancelReason == "customer")
        guard case .notifyStaff(let notice)? = yes.effects.last else { Issue.record("staff not told"); return }
        #expect(notice.reason == .cancelled && notice.orders.map(\.id) == [1004])
        // A late yes is an ordinary message.
        let late = say("确定", again.state, facts(now: start + CancelQuestion.validFor + 1, orders: [confirmed]))
        #expect(!late.effects.contains { if case .saveOrder = $0 { true } else { false } })
    }

    @Test func anUnconfirmedOrderIsCancelledAtOnce() {
        let waiting = order(1001, .awaitingConfirmation)
        var state = ConversationState.new(at: start)
        state.hasOrders = true
        state.pendingOrderID = 1001
        let step = say("不要了", state, facts(orders: [waiting]))
        guard case .saveOrder(let cancelled)? = step.effects.first else { Issue.record("not cancelled"); return }
        #expect(cancelled.status == .cancelled)
    }

    // MARK: 7. no contradictions

    @Test func whereIsMyOrderWithADraftTalksAboutTheDraft() {
        let draft = say("order 2 beef noodles", .new(at: start))
        let step = say("where is my order", draft.state)
        #expect(
            step.replies == [.answer(.draftStatus(draft.state.draft!, minutes: 12 + 5 + 10))],
            "preparation, pickup, 3 km assumed at 18 km/h")
        let text = ReplyRenderer().text(for: step.replies[0], language: .en, catalog: catalog)
        #expect(text.contains("beef noodles ×2") && !text.contains("no orders"))
    }
}
