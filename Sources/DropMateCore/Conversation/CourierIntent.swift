/// What a courier's text means. Couriers talk in short commands: "任务", "取件 #1001", "送达 1001".
public enum CourierIntent: Sendable, Hashable {
    case help
    /// "任务 / deliveries": the deliveries in progress.
    case deliveries
    /// "取件 #1001 / picked up #1001" (nil: the one delivery that fits, if there is exactly one).
    case action(CourierAction, orderID: Int64?)
    /// "解绑 / unbind": stop being a courier in this chat.
    case unbind
    case other

    /// Reads a courier's message: "取件 #1007", "1007取件", "#1007 送达", or the verb alone ("取到了", "done").
    public static func parse(_ text: String) -> CourierIntent {
        let bare = TextNormalizer.trimPunctuation(TextNormalizer.normalize(text))
        if let intent = keywords[bare] { return intent }
        if let action = actionWords[bare] { return .action(action, orderID: nil) }
        // The number first: "1007取件", "#1007 送达", "1007 picked up".
        let afterHash = bare.hasPrefix("#") ? bare.dropFirst() : Substring(bare)
        let digits = afterHash.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty, digits.count <= 12, let id = Int64(digits),
            let action = actionWords[String(afterHash.dropFirst(digits.count).drop { " #:：".contains($0) })]
        {
            return .action(action, orderID: id)
        }
        for (prefix, action) in actionPrefixes where bare.hasPrefix(prefix) {
            let rest = bare.dropFirst(prefix.count).drop { " #:：".contains($0) }
            guard rest.count <= 12, !rest.isEmpty, rest.allSatisfy({ $0.isASCII && $0.isNumber }), let id = Int64(rest)
            else { continue }
            return .action(action, orderID: id)
        }
        return .other
    }

    /// How couriers say they have the food, or handed it over.
    static let actionWords: [String: CourierAction] = {
        var table: [String: CourierAction] = [:]
        for word in [
            "取件", "已取件", "取餐", "已取餐", "已取", "取到了", "拿到了", "取了", "已拿到", "取好了", "picked", "picked up", "pick up",
            "pickup", "got it",
        ] {
            table[word] = .pickUp
        }
        for word in [
            "送达", "已送达", "送达了", "送到了", "已送到", "到了", "已到", "delivered", "deliver", "done", "dropped off", "handed over",
        ] {
            table[word] = .deliver
        }
        return table
    }()

    static let keywords: [String: CourierIntent] = {
        var table: [String: CourierIntent] = [:]
        func add(_ intent: CourierIntent, _ words: [String]) { for word in words { table[word] = intent } }
        add(.help, ["help", "帮助", "?", "？", "h", "怎么用"])
        add(
            .deliveries,
            ["任务", "我的任务", "配送", "配送单", "订单", "列表", "deliveries", "my deliveries", "list", "jobs", "orders", "tasks"])
        add(.unbind, ["解绑", "解除绑定", "unbind"])
        return table
    }()

    /// Every verb followed by an order number ("取件 #1001", "送到了 1001"), longest first so "已取件" is not read
    /// as "已取" with a stray "件".
    static let actionPrefixes: [(String, CourierAction)] = actionWords.sorted {
        ($0.key.count, $0.key) > ($1.key.count, $1.key)
    }.map { ($0.key, $0.value) }
}
