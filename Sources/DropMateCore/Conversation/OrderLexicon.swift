/// The words the order parser knows besides the catalog's names, as scalars (text is normalized first: lower case,
/// half-width, simplified). Each list is matched longest first; a word that starts or ends with a Latin letter only
/// matches as a whole word ("so" is not found in "soup").
enum OrderLexicon {
    /// A list of words to find at a position.
    struct Words: Sendable {
        /// Longest first.
        let words: [[Unicode.Scalar]]
        /// The words by their first scalar (longest first), so a position costs one lookup.
        private let byFirst: [Unicode.Scalar: [[Unicode.Scalar]]]

        init(_ words: [String]) {
            self.words = words.map { Array($0.unicodeScalars) }.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
            self.byFirst = Dictionary(grouping: self.words) { $0[0] }
        }

        /// The scalars a word of this list starts with.
        var starters: Set<Unicode.Scalar> { Set(byFirst.keys) }

        /// The length of the longest word at `index` of `text`, if any.
        func match(_ text: [Unicode.Scalar], at index: Int) -> Int? {
            guard index < text.count, let candidates = byFirst[text[index]] else { return nil }
            for word in candidates where OrderLexicon.has(word, in: text, at: index) { return word.count }
            return nil
        }
    }

    /// Whether `word` is at `index` of `text`, as a whole word where it touches Latin letters.
    static func has(_ word: [Unicode.Scalar], in text: [Unicode.Scalar], at index: Int) -> Bool {
        guard let first = word.first, index + word.count <= text.count, text[index] == first else { return false }
        var offset = 1
        while offset < word.count {
            guard text[index + offset] == word[offset] else { return false }
            offset += 1
        }
        if isLatin(first), index > 0, isLatin(text[index - 1]) { return false }
        if isLatin(word[word.count - 1]), index + word.count < text.count, isLatin(text[index + word.count]) {
            return false
        }
        return true
    }

    static func isLatin(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || scalar == "'" }
    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
    static func isCJK(_ scalar: Unicode.Scalar) -> Bool { (0x3400...0x9FFF).contains(scalar.value) }

    /// Ends a piece: punctuation and symbols (emoji included). Spaces are handled apart: they join English words.
    static func isBoundary(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case ",", "，", "。", ".", "!", "！", "?", "？", ";", "；", "、", ":", "：", "~", "～", "\n", "(", ")", "（", "）", "/",
            "…", "—", "-", "\"", "“", "”", "【", "】", "「", "」":
            return true
        default:
            if isLatin(scalar) || isDigit(scalar) || isCJK(scalar) || scalar == " " { return false }
            return !scalar.properties.isAlphabetic
        }
    }

    /// Order verbs, which make a message an order even before an item is named.
    static let verbs = Words([
        "我想要", "我想点", "我想吃", "我想订", "我要", "我点", "想要", "想点", "帮我来", "帮我点", "帮我订", "给我来", "给我", "麻烦来",
        "能不能来", "可以来", "可不可以来", "可以给我来", "能帮我点", "能帮我来", "能给我来", "可以帮我点", "麻烦帮我点", "麻烦帮我来", "来", "点", "要", "订", "买",
        "我们要", "我们点",
        "i would like to order", "i'd like to order", "id like to order", "i would like", "i'd like", "id like",
        "i want to order",
        "i want", "i wanna", "i'll have", "ill have", "i will have", "i'll take", "i'll get", "can i have", "can i get",
        "could i have",
        "could i get", "may i have", "can we get", "can we have", "we'd like", "we want", "let me get", "let me have",
        "give me", "get me",
        "i need", "we need", "order", "buy", "send me", "bring me",
    ])

    /// Words that ask for more, anywhere: "再来一份" alone is one more of the last item.
    static let again = Words(["再来", "再要", "再加", "还要", "还来", "再给我来", "多来"])
    /// "one more", "another": one more, of the item named next or else the last one.
    static let oneMore = Words(["one more", "another one", "another"])

    /// Words that join items (or, before something that is not an item, start a note: "加辣").
    static let joiners = Words([
        "还有", "以及", "和", "跟", "加上", "另外", "外加", "再加上", "and also", "and", "also", "plus", "with", "&", "+",
    ])
    /// "加" and its kin: an item (or a quantity and an item) after it makes it a joiner, anything else a note.
    static let add = Words(["加", "多加", "add", "extra", "plus", "more"])

    /// Fillers, politeness and hesitations, skipped wherever they are (they end an unknown piece).
    static let fillers = Words([
        "嗯嗯", "嗯", "呃", "额", "那个", "这个", "吧", "啊", "呀", "哦", "噢", "喔", "呢", "哈哈", "哈", "啦", "嘛", "了",
        "一下", "谢谢你", "谢谢", "谢啦", "多谢", "感谢", "麻烦你", "麻烦了", "麻烦", "请", "帮我", "帮忙", "老板", "亲", "好的", "你好", "您好",
        "我", "的", "把", "就", "先", "然后", "吧谢谢", "呗", "要", "一起", "其中", "但是", "不过", "可以吗", "行吗", "好吗", "可以", "行不行", "吗",
        "but", "i", "we", "actually", "sorry", "oops", "wait", "anymore", "any more", "instead", "can you", "could you",
        "those", "these", "that one", "this one", "the same", "老板娘", "我想想", "想想", "算了", "一样",
        "同样",
        "please", "pls", "plz", "thanks", "thank you", "thx", "ty", "um", "umm", "uh", "uhh", "erm", "hmm", "hi",
        "hello", "hey",
        "ok", "okay", "so", "just", "the", "to", "for me", "for", "me", "of", "some", "yeah", "well", "um,", "oh",
    ])

    /// Words that take something away: followed by an item, they remove it ("去掉奶茶", "remove the tea"); after an item at
    /// the end of the message, they remove that item ("奶茶不要了"); before anything else they start a note ("不要香菜").
    static let removal = Words([
        "不想要", "不要", "不用", "别要", "去掉", "删了", "删去", "拿走", "don't want", "do not want", "dont want", "删掉", "删除", "去除",
        "拿掉", "取消", "减掉", "remove", "delete", "drop", "take off", "take out",
        "cancel", "no more", "no", "without",
    ])
    /// The removal words that only remove (never start a note).
    static let removalOnly = Words([
        "删掉", "删了", "删去", "删除", "拿掉", "取消", "减掉", "remove", "delete", "drop", "take off", "take out", "cancel",
        "no more",
    ])

    /// Words that change a quantity: "改成3份", "make it 3", "只要一份".
    static let change = Words([
        "改成", "改为", "换成", "变成", "改到", "改", "只要", "make it", "make that", "change it to", "change that to", "change to",
        "change", "update", "only",
    ])

    /// Words that start an instruction for the kitchen (a note), besides the removal words above.
    static let notePrefixes = Words([
        "不加", "不放", "别放", "别加", "免", "少", "多", "去冰", "去葱", "去辣", "去香菜", "去糖", "加辣", "加麻", "微辣", "中辣", "特辣", "重辣", "变态辣",
        "不辣", "要辣",
        "常温", "热的", "冰的", "温的", "无糖", "半糖", "少糖", "全糖", "三分糖", "五分糖", "七分糖", "分开", "打包", "备注", "清淡", "辣一点",
        "辣的", "要热", "要冰", "汤多", "汤少", "面多", "面少", "面硬", "面软", "葱花", "香菜", "都", "全部", "less", "extra", "not spicy",
        "not too", "more", "mild", "medium",
        "spicy", "very spicy", "hot", "cold", "iced", "no ice", "light", "hold the", "easy on", "on the side",
        "sauce on", "separate",
    ])
    /// Trimmed off the end of a note ("no cilantro please" → "no cilantro").
    static let noteTail = Words(["please", "pls", "thanks", "thank you", "谢谢", "吧", "哦", "啊", "呢", "呀", "哈", "啦", "一下"])

    /// Words before an address in the same message: "送到南京西路1266号", "deliver to 88 Huaihai Road".
    static let addressPrefixes = Words([
        "送到", "送至", "送去", "送往", "配送到", "地址是", "地址:", "地址", "送餐地址", "收货地址", "deliver to", "send it to", "send to",
        "address is", "address:", "my address is", "address",
    ])
    /// Labels before a phone number.
    static let phoneLabels = Words([
        "手机号码", "手机号", "手机", "电话号码", "联系电话", "电话是", "电话", "联系方式", "tel", "phone", "mobile", "my number is", "number",
    ])

    /// Chinese measure words: "两碗", "2份", "一杯".
    static let measures = Words([
        "份", "个", "碗", "杯", "瓶", "盒", "只", "笼", "盘", "串", "根", "听", "罐", "客", "例", "枚", "颗", "碟",
    ])
    /// English measures: "2 bowls of", "3 cups of".
    static let englishMeasures = Words([
        "bowls of", "bowl of", "cups of", "cup of", "portions of", "portion of", "servings of", "serving of",
        "orders of", "order of",
        "plates of", "plate of", "boxes of", "box of", "bottles of", "bottle of", "pcs", "pieces of", "piece of", "x",
        "bowls", "bowl", "cups", "cup", "portions", "portion", "servings", "serving", "plates", "plate", "pieces",
        "piece",
    ])

    static let englishNumbers: [String: Int] = [
        "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10,
        "a couple of": 2, "a couple": 2, "couple of": 2, "zero": 0,
    ]
    static let englishNumberWords = Words(Array(englishNumbers.keys))

    static let chineseDigits: [Unicode.Scalar: Int] = [
        "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    ]

    /// Characters that, right after a number, say it is not a quantity (a house number, a floor, a time, a price).
    static let notQuantityAfter = Words([
        "号", "楼", "弄", "室", "层", "栋", "幢", "单元", "路", "点", "元", "块钱", "块", "分钟", "min", "am", "pm", "号楼",
    ])

    /// Text in a message that asks rather than orders, unless it starts with an order verb ("可以来一碗牛肉面吗",
    /// "can I get 2 beef noodles?").
    static let questionMarks = Words([
        "吗", "?", "？", "有没有", "能不能", "可不可以", "是不是", "is it",
    ])
    /// Text that asks whatever comes before it ("来两碗牛肉面多少钱"): never an order.
    static let strongQuestionMarks = Words([
        "多少", "几", "怎么", "什么", "为什么", "哪", "咋", "how", "what", "what's", "whats", "when", "why", "where", "where's",
        "how's", "do you", "does", "is there", "are there",
    ])
    /// In a message that names no item, a note must be about food or packing to be one ("免葱", not "免税店旁边").
    static let kitchenWords = Words([
        "辣", "麻", "冰", "糖", "葱", "香菜", "醋", "盐", "咸", "淡", "油", "蒜", "姜", "汤", "面", "肉", "菜", "蛋", "饭", "热", "冷", "温",
        "餐具", "筷子", "勺", "打包", "分开", "spicy", "ice", "sugar", "cilantro", "coriander", "onion", "scallion", "garlic",
        "salt",
        "sauce", "hot", "cold", "warm", "chopsticks", "cutlery", "spoon", "pepper", "chili", "chilli", "msg", "oil",
        "soup", "noodle", "egg",
    ])
    /// Words about the service, not the food: a message with them and no item is no order.
    static let serviceWords = Words([
        "退款", "退钱", "投诉", "发票", "人工", "客服", "营业", "关门", "开门", "付款", "支付", "配送费", "运费", "优惠", "推荐", "催", "骑手",
        "外卖", "多久", "送达", "refund", "invoice", "human", "agent", "person", "someone", "staff", "manager", "talk",
        "speak", "receipt", "complain", "fee", "pay", "open", "close", "recommend",
    ])
    /// "各一份", "each": the quantity after it is for every item named before it.
    static let each = Words(["各来", "各要", "各", "each"])
    /// Words about an order already placed ("我点的牛肉面呢", "刚才的奶茶"): never a new order.
    static let pastOrder = Words(["点的", "订的", "买的", "要的", "刚才", "刚刚", "之前", "已经"])
    /// What people say when they want to order but name nothing ("我要点餐"): the menu answers them.
    static let wantsToOrder: Set<String> = [
        "点餐", "订餐", "下单", "点外卖", "订外卖", "外卖", "点菜", "吃的", "吃饭", "food", "order food", "some food",
    ]
    /// Text that reads as part of an address.
    static let addressWords = Words([
        "路", "街", "大道", "弄", "巷", "号", "区", "镇", "村", "广场", "大厦", "小区", "公寓", "花园", "中心", "大楼", "栋", "幢", "室", "楼",
        "单元", "层", "苑", "公司", "学校", "医院", "门口", "road", "rd", "street", "st", "avenue", "ave", "lane", "building",
        "floor",
        "room", "apt", "district", "tower", "plaza",
    ])

    /// Every scalar a token other than unknown text can start with (a catalog name aside): any other scalar goes
    /// straight into the unknown piece, with one set lookup instead of one per word list.
    static let starters: Set<Unicode.Scalar> = {
        var set = Set<Unicode.Scalar>(" 0123456789x×*十百".unicodeScalars).union(chineseDigits.keys)
        for words in [
            verbs, again, oneMore, joiners, add, fillers, removal, change, notePrefixes, addressPrefixes, measures,
            englishNumberWords, each,
        ] {
            set.formUnion(words.starters)
        }
        return set
    }()

    /// Whether any word of `words` occurs anywhere in `text`.
    static func occurs(_ words: Words, in text: [Unicode.Scalar]) -> Bool {
        text.indices.contains { words.match(text, at: $0) != nil }
    }
}
