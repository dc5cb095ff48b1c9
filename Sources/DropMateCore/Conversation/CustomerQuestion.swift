/// A question customers ask at any step ("多少钱", "几点关门", "人工客服"), answered from what DropMate knows
/// without losing the draft. Read before the order parser, so "我要两份牛肉面，谢谢" is still an order (thanks count
/// only as a whole message) while "牛肉面多少钱" asks for a price.
public enum CustomerQuestion: Sendable, Hashable {
    /// "多久能到 / how long", "我的外卖呢", "怎么还没到": the ETA.
    case deliveryTime
    /// "骑手电话多少 / courier's number".
    case courierPhone
    /// "多少钱 / how much", about the items named (none: the draft, the order or the menu).
    case price(itemIDs: [String])
    /// "营业时间 / 几点关门 / opening hours".
    case openingHours
    /// "可以货到付款吗 / 怎么付款 / how do I pay".
    case payment
    /// "有什么推荐 / what do you recommend": the featured ads.
    case recommendations
    /// "谢谢 / thank you", as a whole message.
    case thanks
    /// "人工客服 / 转人工 / human / talk to a person".
    case human
    /// "催单 / hurry up": the ETA, and staff are told.
    case hurry
    /// "退款 / refund": a person handles it.
    case refund
    /// "发票 / invoice": a person handles it.
    case invoice

    /// The question `text` asks, if it is one of these.
    public static func parse(_ text: String, catalog: Catalog) -> CustomerQuestion? {
        let normalized = TextNormalizer.normalize(text)
        // A board post is the customer's own words for staff, whatever they say.
        if IntentParser.boardPost(text.trimmingSpaces()) != nil { return nil }
        let full = TextNormalizer.trimPunctuation(normalized), stripped = strip(full)
        guard !stripped.isEmpty else { return nil }
        if let question = whole[stripped] ?? whole[full] { return question }
        let bare = full
        // This runs on every message (the webhook's hot path). The message is compared only with the phrases that could
        // occur in it: Chinese phrases that start with one of its characters, English ones that start with one of its
        // words. The earliest question in `anywhere`'s order wins, as if every phrase had been tried in that order.
        var hasLatin = false
        for byte in bare.utf8 where (0x61...0x7A).contains(byte) { hasLatin = true; break }
        var earliest = Int.max
        for scalar in bare.unicodeScalars where scalar.value >= 0x80 {
            for phrase in PhraseIndex.shared.chinese[scalar] ?? []
            where phrase.rank < earliest && TextNormalizer.contains(bare, phrase.pattern) {
                earliest = phrase.rank
            }
        }
        // English phrases match whole words ("price" but not "priced").
        let spaced = hasLatin ? " " + String(bare.map { $0.isLetter || $0.isNumber || $0 == "'" ? $0 : " " }) + " " : ""
        if hasLatin {
            for word in spaced.split(separator: " ") {
                for phrase in PhraseIndex.shared.english[word] ?? []
                where phrase.rank < earliest && TextNormalizer.contains(spaced, phrase.pattern) {
                    earliest = phrase.rank
                }
            }
        }
        guard earliest < anywhere.count else { return nil }
        let question = anywhere[earliest].1
        if case .price = question {
            return .price(itemIDs: items(in: bare, spaced: hasLatin ? spaced : " ", catalog: catalog))
        }
        return question
    }

    /// `anywhere`'s phrases by how they start, each with its question's rank (its place in `anywhere`): Chinese
    /// phrases by their first character, English ones (wrapped in spaces, to match whole words) by their first word.
    struct PhraseIndex: Sendable {
        typealias Phrase = (pattern: String, rank: Int)
        var chinese: [Unicode.Scalar: [Phrase]] = [:]
        var english: [Substring: [Phrase]] = [:]

        static let shared: PhraseIndex = {
            var index = PhraseIndex()
            for (rank, (phrases, _)) in anywhere.enumerated() {
                for phrase in phrases {
                    guard let first = phrase.unicodeScalars.first else { continue }
                    if first.isASCII {
                        let word = phrase.split(separator: " ", maxSplits: 1)[0]
                        index.english[word, default: []].append((" \(phrase) ", rank))
                    } else {
                        index.chinese[first, default: []].append((phrase, rank))
                    }
                }
            }
            return index
        }()
    }

    /// Without polite openings and question particles: "请问几点关门呀？" → "几点关门". Compares bytes and scalars,
    /// not characters: it runs on every message.
    static func strip(_ text: String) -> String {
        var text = Substring(text)
        for prefix in politeOpenings where text.utf8.starts(with: prefix.utf8) {
            text = text[text.utf8.index(text.startIndex, offsetBy: prefix.utf8.count)...].drop { " ,，:：".contains($0) }
            break
        }
        // Question particles are single scalars; at least one character stays.
        while let last = text.unicodeScalars.last, questionParticles.contains(last),
            text.unicodeScalars.index(before: text.unicodeScalars.endIndex) > text.unicodeScalars.startIndex
        {
            text = Substring(text.unicodeScalars.dropLast())
        }
        return String(text)
    }

    static let politeOpenings = ["请问一下", "请问", "问一下", "你好", "您好", "please", "excuse me", "hi", "hello"]
    static let questionParticles: Set<Unicode.Scalar> = ["吗", "呢", "啊", "呀", "吧", "嘛", "?", "？", " "]

    /// The catalog items a message names, in catalog order (English names as whole words: "tea" is not in "steak").
    static func items(in text: String, spaced: String, catalog: Catalog) -> [String] {
        zip(catalog.items, catalog.matchNames).compactMap { item, names in
            names.contains { name in
                guard !name.isEmpty else { return false }
                return name.allSatisfy(\.isASCII)
                    ? TextNormalizer.contains(spaced, " \(name) ") : TextNormalizer.contains(text, name)
            } ? item.id : nil
        }
    }

    /// Questions that are the whole message.
    static let whole: [String: CustomerQuestion] = {
        var table: [String: CustomerQuestion] = [:]
        func add(_ question: CustomerQuestion, _ words: [String]) { for word in words { table[word] = question } }
        add(
            .thanks,
            [
                "谢谢", "谢谢你", "谢谢您", "谢谢啦", "谢啦", "谢了", "多谢", "感谢", "非常感谢", "辛苦了", "辛苦啦", "thanks", "thank you",
                "thanks a lot", "thank you very much", "thank you so much", "many thanks", "thx", "ty", "cheers",
            ])
        add(.human, ["人工", "客服", "human", "agent", "operator", "person", "a person", "a human"])
        add(.hurry, ["催", "快点", "快点送", "快一点", "hurry", "hurry up"])
        add(.deliveryTime, ["外卖呢", "我的外卖呢", "饭呢", "how long"])
        add(.price(itemIDs: []), ["价格", "价钱", "多少钱", "price", "prices", "how much", "cost"])
        add(.openingHours, ["营业时间", "hours", "opening hours"])
        add(.payment, ["付款", "支付", "payment", "pay"])
        return table
    }()

    /// Phrases that make a message this question wherever they appear, checked in this order.
    static let anywhere: [([String], CustomerQuestion)] = [
        (
            [
                "人工客服", "转人工", "人工服务", "找人工", "真人", "联系客服", "找客服", "talk to a person", "talk to a human",
                "speak to a person",
                "speak to someone", "real person", "customer service", "human please",
            ], .human
        ),
        (["退款", "退钱", "refund", "money back"], .refund),
        (["发票", "开票", "invoice", "fapiao", "receipt"], .invoice),
        (["催单", "催一下", "催催", "快点", "快一点", "hurry up", "please hurry", "hurry"], .hurry),
        (
            [
                "骑手电话", "骑手的电话", "骑手手机", "骑手号码", "骑手的号码", "配送员电话", "送餐员电话", "外卖员电话", "联系骑手", "courier's number",
                "courier's phone", "courier number", "courier phone", "rider's number", "driver's number",
                "call the courier", "contact the courier",
            ], .courierPhone
        ),
        (
            [
                "多久能到", "多久到", "多久送到", "多长时间", "还要多久", "什么时候能到", "什么时候送到", "怎么还没到", "还没到", "还没送到", "外卖呢",
                "how long", "when will it arrive", "when will it come", "still not here", "not here yet",
                "where is my food", "where's my food",
            ], .deliveryTime
        ),
        (
            [
                "营业时间", "几点关门", "几点开门", "几点营业", "几点下班", "还营业", "营业吗", "开门了吗", "关门了吗", "opening hours", "open hours",
                "business hours", "when do you close", "when do you open", "what time do you close",
                "what time do you open", "are you open",
                "still open",
            ], .openingHours
        ),
        (
            [
                "货到付款", "怎么付款", "怎么付钱", "怎么支付", "如何付款", "如何支付", "支付方式", "付款方式", "微信支付", "支付宝", "刷卡", "付现金",
                "cash on delivery", "how do i pay", "how to pay", "how can i pay", "can i pay", "pay by", "pay with",
                "payment method", "payment methods",
            ], .payment
        ),
        (
            [
                "有什么推荐", "有啥推荐", "推荐什么", "推荐一下", "推荐个", "什么好吃", "有什么好吃", "招牌菜", "what do you recommend",
                "any recommendations", "recommendation", "recommendations", "recommend", "what's good",
                "any suggestions",
            ], .recommendations
        ),
        (
            [
                "多少钱", "几块钱", "价格", "价钱", "配送费", "运费", "外送费", "how much", "price", "prices", "delivery fee",
                "delivery charge", "fee", "fees",
            ],
            .price(itemIDs: [])
        ),
    ]
}
