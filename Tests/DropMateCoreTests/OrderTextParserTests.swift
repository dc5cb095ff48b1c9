import Testing

@testable import DropMateCore

/// The parts of `ParsedOrder` the corpus notation does not show: how a name matched, whether a quantity was written.
@Suite struct OrderTextParserTests {
    let parser = IntentParser(catalog: DemoCatalog.catalog)

    func order(_ text: String) -> ParsedOrder? {
        guard case .order(let order) = parser.parse(text) else { return nil }
        return order
    }

    @Test func aTakenMisspellingIsMarkedWithWhatWasTyped() {
        #expect(order("2 beef noodels")?.lines.first?.match == .corrected(typed: "beef noodels"))
        #expect(order("2 beef noodles")?.lines.first?.match == .exact)
    }

    @Test func aSuggestionKeepsItsQuantityAndNote() {
        let suggestion = order("两碗牛柔面不要香菜")?.suggestions.first
        #expect(suggestion?.typed == "牛柔面" && suggestion?.item.id == "beef-noodles" && suggestion?.quantity == 2)
        #expect(suggestion?.note == "不要香菜")
    }

    @Test func whetherAQuantityWasWritten() {
        #expect(order("奶茶去冰")?.lines.first?.quantityGiven == false)
        #expect(order("1杯奶茶去冰")?.lines.first?.quantityGiven == true)
    }

    @Test func aMessageRepeatingAnItemWithAQuantityAddsThemUp() {
        #expect(order("2份牛肉面，再来1份牛肉面")?.lines.map(\.quantity) == [3])
    }

    @Test func existingIntentsStillComeFirst() {
        #expect(parser.parse("不要了") == .cancel(orderID: nil))
        #expect(parser.parse("取消订单 1001") == .cancel(orderID: 1001))
        #expect(parser.parse("no") == .cancel(orderID: nil))
        #expect(parser.parse("订单 1001") == .eta(orderID: 1001))
        #expect(parser.parse("电话 138-0013-8000") == .phone(PhoneNumber("13800138000")!))
        #expect(parser.parse("我的电话是13800138000") == .phone(PhoneNumber("13800138000")!))
    }
}
