/// The language a customer writes in; replies follow it.
public enum Language: String, Sendable, Hashable, Codable {
    case zh, en

    /// Chinese when the text holds any CJK ideograph, English when it holds Latin letters, else nil.
    public static func detect(_ text: String) -> Language? {
        var sawLatin = false
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0xF900...0xFAFF, 0x3000...0x303F, 0xFF00...0xFFEF: return .zh
            case 0x41...0x5A, 0x61...0x7A: sawLatin = true
            default: continue
            }
        }
        return sawLatin ? .en : nil
    }
}
