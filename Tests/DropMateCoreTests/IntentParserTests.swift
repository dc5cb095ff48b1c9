import Testing

@testable import DropMateCore

@Suite struct IntentParserTests {
    let parser = IntentParser(catalog: DemoCatalog.catalog)

    func lines(_ text: String) -> [String]? {
        guard case .order(let order) = parser.parse(text) else { return nil }
        return order.lines.map { "\($0.item.id)×\($0.quantity)" } + order.unknown.map { "?\($0)" }
    }

    @Test(arguments: [
        ("2 份牛肉面", ["beef-noodles×2"]),
        ("2份牛肉面", ["beef-noodles×2"]),
        ("来两碗牛肉面和一杯奶茶", ["beef-noodles×2", "milk-tea×1"]),
        ("牛肉面 3份", ["beef-noodles×3"]),
        ("奶茶两杯", ["milk-tea×2"]),
        ("我要十二份茶叶蛋", ["tea-egg×12"]),
        ("order 2 beef noodles and 1 tea", ["beef-noodles×2", "milk-tea×1"]),
        ("Order 2 Beef Noodles", ["beef-noodles×2"]),
        ("i want two milk teas", ["milk-tea×2"]),
        ("beef noodles x3", ["beef-noodles×3"]),
        ("２份牛肉面", ["beef-noodles×2"]),
        ("order 2 pizza", ["pizza×2"].map { _ in "?pizza" }),
        ("2 份牛肉面和 1 份寿司", ["beef-noodles×2", "?寿司"]),
        ("0 份牛肉面", ["beef-noodles×0"]),
        ("牛肉面", ["beef-noodles×1"]),
        ("我要牛肉面加辣", ["beef-noodles×1"]),
    ])
    func readsOrders(text: String, expected: [String]) {
        #expect(lines(text) == expected)
    }

    @Test(arguments: ["上海市黄浦区人民大道200号", "今天天气怎么样", "asdf", "牛肉面好吃吗有没有辣的那种呢 我想问问"])
    func leavesOtherTextAlone(text: String) {
        #expect(parser.parse(text) == .other)
    }

    @Test func recognisesKeywordsInBothLanguages() {
        #expect(parser.parse("菜单") == .menu)
        #expect(parser.parse("Menu!") == .menu)
        #expect(parser.parse("确认") == .confirm)
        #expect(parser.parse("OK") == .confirm)
        #expect(parser.parse("取消") == .cancel(orderID: nil))
        #expect(parser.parse("cancel #1001") == .cancel(orderID: 1001))
        #expect(parser.parse("到哪了？") == .eta(orderID: nil))
        #expect(parser.parse("Where is my order?") == .eta(orderID: nil))
        #expect(parser.parse("#1001") == .eta(orderID: 1001))
        #expect(parser.parse("订单 1001") == .eta(orderID: 1001))
        #expect(parser.parse("同上") == .sameAddress)
        #expect(parser.parse("留言板") == .boardView)
    }

    @Test func boardPostsKeepTheCustomersWords() {
        #expect(parser.parse("留言 汤很鲜！") == .boardPost("汤很鲜！"))
        #expect(parser.parse("留言：周末有优惠吗？") == .boardPost("周末有优惠吗？"))
        #expect(parser.parse("Post Hello From Shanghai") == .boardPost("Hello From Shanghai"))
        #expect(parser.parse("posting is fun") != .boardPost("ing is fun"))
    }

    @Test func phoneNumbersAloneOrAfterAKeyword() {
        #expect(parser.parse("13800138000") == .phone(PhoneNumber("13800138000")!))
        #expect(parser.parse("电话 138-0013-8000") == .phone(PhoneNumber("13800138000")!))
        #expect(parser.parse("phone +86 13800138000") == .phone(PhoneNumber("13800138000")!))
    }
}

@Suite struct PhoneNumberTests {
    @Test(arguments: ["13800138000", "138 0013 8000", "+86 138-0013-8000", "8613800138000", "１３８００１３８０００"])
    func acceptsMainlandMobiles(text: String) {
        #expect(PhoneNumber(text)?.digits == "13800138000")
    }

    @Test(arguments: ["12345", "23800138000", "12800138000", "138001380001", "1380013800a", "", "☎️13800138000"])
    func refusesEverythingElse(text: String) {
        #expect(PhoneNumber(text) == nil)
    }

    @Test func isMaskedWhenShown() {
        #expect(PhoneNumber("13800138000")!.masked == "138****8000")
        #expect("\(PhoneNumber("13800138000")!)" == "138****8000")
    }
}
