import Foundation
import Testing

@testable import DropMateCore

/// Notes on order lines and orders, and their backward compatibility with JSON stored before notes existed.
@Suite struct OrderNoteTests {
    @Test func anOrderStoredBeforeNotesExistedStillDecodes() throws {
        let json = """
            {"id":1001,"customer":"o_a","merchantID":"lanzhou","lines":[{"itemID":"beef-noodles","name":{"zh":"牛肉面","en":"beef noodles"},\
            "quantity":2,"unitPrice":1800}],"address":{"text":"somewhere"},"phone":"13800138000","status":"confirmed",\
            "language":"zh","createdAt":100}
            """
        let order = try JSONDecoder().decode(Order.self, from: Data(json.utf8))
        #expect(order.lines.first?.note == nil && order.note == nil)
        #expect(order.lines.first?.quantity == 2)
    }

    @Test func notesSurviveARoundTripAndAreLeftOutWhenAbsent() throws {
        var line = OrderLine(
            itemID: "beef-noodles", name: LocalizedText(zh: "牛肉面", en: "beef noodles"), quantity: 2,
            unitPrice: Money(fen: 1800))
        #expect(!String(decoding: try JSONEncoder().encode(line), as: UTF8.self).contains("note"))
        line.note = "不要香菜"
        let draft = OrderDraft(merchantID: "lanzhou", lines: [line], note: "多给点餐具")
        let decoded = try JSONDecoder().decode(OrderDraft.self, from: JSONEncoder().encode(draft))
        #expect(decoded == draft)
    }

    @Test func aConversationStateStoredBeforeNotesExistedStillDecodes() throws {
        let json = """
            {"language":"zh","profile":{},"draft":{"merchantID":"lanzhou","lines":[{"itemID":"milk-tea","name":{"zh":"奶茶","en":"milk tea"},\
            "quantity":1,"unitPrice":1200}]},"lastActivityAt":1,"hasOrders":false}
            """
        let state = try JSONDecoder().decode(ConversationState.self, from: Data(json.utf8))
        #expect(state.draft?.lines.first?.note == nil && state.draft?.note == nil)
    }
}
