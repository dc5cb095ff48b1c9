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

    /// The language `text` is written in *with intent*: a message that says something in it, not a word anyone
    /// types whatever their language ("ok", "hi", "thx", "好", "嗯"), a number, an emoji, a phone number or "#1001".
    /// nil when the message says nothing about the customer's language.
    ///
    /// Chinese needs two ideographs outside `neutralChinese`; English needs a word of two or more letters outside
    /// `neutralEnglish` and no ideograph.
    public static func intended(_ text: String) -> Language? {
        var ideographs = "", words: [String] = [], word = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0xF900...0xFAFF: ideographs.unicodeScalars.append(scalar)
            case 0x41...0x5A, 0x61...0x7A:
                word.unicodeScalars.append(scalar)
                continue
            default: break
            }
            if !word.isEmpty { words.append(word.lowercased()); word = "" }
        }
        if !word.isEmpty { words.append(word.lowercased()) }
        if !ideographs.isEmpty {
            return ideographs.count >= 2 && !neutralChinese.contains(ideographs) ? .zh : nil
        }
        return words.contains { $0.count >= 2 && !neutralEnglish.contains($0) } ? .en : nil
    }

    /// Words Chinese customers type in English (and English customers read): they choose no language.
    static let neutralEnglish: Set<String> = [
        "ok", "okay", "okk", "kk", "hi", "hey", "hello", "yes", "yep", "yeah", "no", "nope", "thx", "thanks", "thank",
        "you", "ty",
        "bye", "lol", "haha", "hmm", "sure", "cool", "nice", "good", "fine", "pls", "plz", "wow", "oh", "ah", "emm",
        "done", "picked",
    ]

    /// Chinese interjections and acknowledgements too short to say the customer reads Chinese.
    static let neutralChinese: Set<String> = ["嗯嗯", "哦哦", "好好", "哈哈", "呵呵", "嘿嘿"]
}
