/// "地址错了", "换个地址", "地址改成南京西路1266号", "电话改成13900139000", "change the address", "wrong number": the
/// customer wants to change where to deliver or how to reach them. Read as an edit (`OrderEdit.address` / `.phone`),
/// so every step handles it: a draft takes it, an order awaiting confirmation is changed, a confirmed one is offered a
/// cancel-and-reorder.
enum ContactChange {
    /// The change `bare` (normalized, trailing punctuation trimmed) asks for; `text` is the message as typed (an
    /// address keeps its case and characters). Nil when the message is not such a request.
    static func parse(_ bare: String, original text: String) -> OrderEdit? {
        // Runs on every message: one set lookup turns most away.
        guard let first = bare.unicodeScalars.first, starters.contains(first) else { return nil }
        var rest = Substring(bare)
        for opener in openers where openerStarters.contains(first) && rest.hasPrefix(opener) {
            rest = rest.dropFirst(opener.count).drop { separators.contains($0) }
            break
        }
        guard let head = rest.unicodeScalars.first, let candidates = byFirst[head] else { return nil }
        for (phrase, isAddress) in candidates where rest.hasPrefix(phrase) {
            var tail = rest.dropFirst(phrase.count)
            // A whole word: "address" is not "addressed".
            if phrase.last?.isASCII == true, let next = tail.first, next.isLetter { continue }
            tail = tail.drop { separators.contains($0) }
            for connector in connectors where tail.hasPrefix(connector) {
                tail = tail.dropFirst(connector.count).drop { separators.contains($0) }
                break
            }
            while let last = tail.last, particles.contains(last) { tail.removeLast() }
            if isAddress {
                guard tail.count >= 4 else { return tail.isEmpty ? .address(nil) : nil }
                let address = String(tail)
                return .address(TextNormalizer.original(of: address, in: text) ?? address)
            }
            if tail.isEmpty { return .phone(nil) }
            return PhoneNumber(String(tail)).map { .phone($0) }  // anything else: not a number, let the parser read it
        }
        return nil
    }

    /// Said before the request: "不好意思地址错了", "sorry, wrong address".
    static let openers = ["不好意思", "抱歉", "哎呀", "哎", "我的", "sorry", "oops"]
    /// What may come between the request and the new value: "地址错了，应该是…", "change the address to …".
    static let connectors = ["应该是", "改成", "改为", "换成", "是", "为", "to", "is", ":"]
    static let separators: Set<Character> = [" ", ",", "，", ":", "：", "、"]
    static let particles: Set<Character> = ["了", "吧", "啊", "呀", "呢", "哦", "嘛", " "]

    /// Longest first where one starts another ("地址写错了" before "地址错").
    static let phrases: [(String, Bool)] = {
        let address = [
            "地址写错了", "地址填错了", "地址错了", "地址不对", "地址改成", "地址改为", "地址换成", "地址改一下", "地址要改", "地址改",
            "换个地址", "换一个地址", "换地址", "改个地址", "改一下地址", "改地址", "修改地址", "更改地址", "新地址是", "新地址",
            "送错地址了", "wrong address", "the address is wrong", "address is wrong", "my address is wrong",
            "change the address",
            "change my address", "change address", "new address", "different address", "update my address",
            "update the address",
        ]
        let phone = [
            "电话写错了", "电话填错了", "电话错了", "电话不对", "电话改成", "电话改为", "电话换成", "电话改一下", "电话要改",
            "手机号写错了", "手机号错了", "手机号不对", "手机号改成", "手机号改为", "手机号换成", "手机号码改成", "号码错了", "号码改成",
            "换个电话", "换个手机号", "换个号码", "换一个电话", "换电话", "换手机号", "改电话", "改一下电话", "改手机号", "修改电话", "修改手机号",
            "更改电话", "新电话是", "新电话", "新号码是", "新号码", "新手机号是", "新手机号", "wrong number", "wrong phone number",
            "the number is wrong", "my number is wrong", "change my number", "change the number",
            "change my phone number",
            "change the phone number", "change phone number", "change my phone", "new number", "my new number is",
            "new phone number",
            "update my number", "update my phone",
        ]
        return (address.map { ($0, true) } + phone.map { ($0, false) }).sorted { $0.0.count > $1.0.count }
    }()

    /// The phrases by their first scalar (longest first), so a message costs a lookup and a few prefix checks.
    static let byFirst: [Unicode.Scalar: [(String, Bool)]] = Dictionary(grouping: phrases) {
        $0.0.unicodeScalars.first!
    }
    static let openerStarters: Set<Unicode.Scalar> = Set(openers.compactMap(\.unicodeScalars.first))
    static let starters: Set<Unicode.Scalar> = openerStarters.union(byFirst.keys)
}

/// "是 / 对 / 嗯 / yes" or "不是 / 不用 / no": a customer's answer to a question DropMate asked ("您是说牛肉面吗？",
/// "要取消 #1004 并重新下单吗？", "确定取消订单吗？"). Only read right after such a question.
enum YesNo {
    case yes, no

    static func read(_ text: String) -> YesNo? {
        let bare = TextNormalizer.trimPunctuation(TextNormalizer.normalize(text))
        if yesWords.contains(bare) { return .yes }
        if noWords.contains(bare) { return .no }
        return nil
    }

    static let yesWords: Set<String> = [
        "是", "是的", "是啊", "是呀", "是滴", "对", "对的", "对啊", "对呀", "对对", "对对对", "嗯", "嗯嗯", "恩", "恩恩", "好", "好的", "好啊", "好滴",
        "行", "可以", "没错", "没问题", "确定", "确认", "要", "要的", "ok", "okay", "yes", "y", "yeah", "yep", "yup", "sure",
        "correct", "right",
        "that's right", "yes please", "ok please", "confirm", "sounds good",
    ]
    static let noWords: Set<String> = [
        "不是", "不对", "不", "不要", "不用", "不用了", "不是的", "没有", "错了", "算了", "不行", "no", "n", "nope", "no thanks", "not really",
        "wrong", "don't", "no thank you",
    ]
}
