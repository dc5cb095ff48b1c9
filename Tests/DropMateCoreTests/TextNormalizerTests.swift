import Testing

@testable import DropMateCore

@Suite struct TextNormalizerTests {
    @Test(arguments: [
        ("确认！", "确认"), ("menu.", "menu"), ("到哪了?", "到哪了"), ("到哪了？？", "到哪了"), ("好的~～", "好的"),
        ("ok!! ", "ok"), ("?", "?"), ("？", "？"), ("??", "?"), ("!!!", ""), ("", ""), ("a.b", "a.b"), ("why?!", "why"),
    ])
    func trailingPunctuationGoesButALoneQuestionMarkStays(text: String, bare: String) {
        #expect(TextNormalizer.trimPunctuation(text) == bare)
    }

    @Test func containsComparesUTF8Bytes() {
        #expect(TextNormalizer.contains("我的到哪了呢", "到哪"))
        #expect(TextNormalizer.contains("where is my order", "where is my"))
        #expect(TextNormalizer.contains("abc", ""))
        #expect(TextNormalizer.contains("到哪", "到哪"))
        #expect(!TextNormalizer.contains("到", "到哪"))
        #expect(!TextNormalizer.contains("where's", "where is"))
        #expect(!TextNormalizer.contains("", "a"))
    }
}
