import Testing

@testable import DropMateCore

/// The parser runs on every message of the webhook: whatever arrives, it must answer (a trap would end the process).
/// Random messages built from the pieces it reads (names, numbers, lexicon words, punctuation, emoji), with a fixed
/// seed so a failure is repeatable.
@Suite struct OrderParserFuzzTests {
    static let pieces: [String] = [
        "牛肉面", "奶茶", "茶叶蛋", "饺子", "酸辣汤", "beef noodles", "tea", "egg", "soup", "noodels", "牛柔面", "麵", "兩",
        "2", "12", "0", "13800138000", "1266", "一", "两", "十", "二十", "俩", "三四", "two", "a", "one more", "x2", "×3", "*",
        "份", "碗", "杯", "个", "bowls of", "x", "和", "加", "跟", "and", "+", "&", "with", "再来", "我要", "来", "i want", "order",
        "不要", "不要了", "去掉", "no", "remove", "改成", "make it", "只要", "各", "each", "去冰", "加辣", "少", "多", "extra",
        "送到", "地址", "电话", "deliver to", "南京西路", "号", "路", "吗", "？", "?", "多少", "what", "谢谢", "please", "嗯", "了",
        "，", ",", "。", ".", " ", "  ", "!", "～", "🍜", "😀", "\u{200B}", "\u{FE0F}", "ｘ", "２", "Ａ", "'", "-", ":", "：",
    ]

    @Test func anyMixOfWhatItReadsGetsAnAnswer() {
        let parser = IntentParser(catalog: DemoCatalog.catalog)
        var random = SeededGenerator(state: 17)
        var orders = 0
        for _ in 0..<20_000 {
            let count = Int.random(in: 1...9, using: &random)
            let text = (0..<count).map { _ in Self.pieces.randomElement(using: &random)! }.joined()
            if case .order = parser.parse(text) { orders += 1 }
        }
        #expect(orders > 0)
    }

    @Test func singleCharactersAndEdgesGetAnAnswer() {
        let parser = IntentParser(catalog: DemoCatalog.catalog)
        for piece in Self.pieces {
            _ = parser.parse(piece)
            _ = parser.parse(piece + piece)
            _ = parser.parse(" " + piece + " ")
        }
        _ = parser.parse(String(repeating: "牛肉面", count: 300))
        _ = parser.parse(String(repeating: "9", count: 400))
        _ = parser.parse(String(repeating: "不要", count: 200))
    }

    @Test func anyConversationOfSuchMessagesGetsAnAnswer() {
        let machine = ConversationMachine()
        var random = SeededGenerator(state: 41)
        for _ in 0..<300 {
            var state = ConversationState.new(at: 1_800_000_000)
            for _ in 0..<12 {
                let count = Int.random(in: 1...6, using: &random)
                let text = (0..<count).map { _ in Self.pieces.randomElement(using: &random)! }.joined()
                let facts = ConversationFacts(now: 1_800_000_000, catalog: DemoCatalog.catalog)
                state = machine.step(customer: "o_fuzz", state: state, input: .text(text), facts: facts).state
                #expect(state.draft.map { !$0.lines.isEmpty } ?? true, "a draft is never left empty")
            }
        }
    }
}
