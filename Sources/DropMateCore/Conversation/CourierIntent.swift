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

    /// Reads a courier's message.
    public static func parse(_ text: String) -> CourierIntent {
        let bare = TextNormalizer.trimPunctuation(TextNormalizer.normalize(text))
        if let intent = keywords[bare] { return intent }
        for (prefix, action) in actionPrefixes where bare.hasPrefix(prefix) {
            let rest = bare.dropFirst(prefix.count).drop { " #:：".contains($0) }
            if rest.isEmpty { return .action(action, orderID: nil) }
            guard rest.count <= 12, rest.allSatisfy({ $0.isASCII && $0.isNumber }), let id = Int64(rest) else { continue }
            return .action(action, orderID: id)
        }
        return .other
    }

    static let keywords: [String: CourierIntent] = {
        var table: [String: CourierIntent] = [:]
        func add(_ intent: CourierIntent, _ words: [String]) { for word in words { table[word] = intent } }
        add(.help, ["help", "帮助", "?", "？", "h", "怎么用"])
        add(.deliveries, ["任务", "我的任务", "配送", "配送单", "订单", "列表", "deliveries", "my deliveries", "list", "jobs", "orders", "tasks"])
        add(.unbind, ["解绑", "解除绑定", "unbind"])
        return table
    }()

    /// Longest first, so "已取件" is not read as "取件" with a stray "已".
    static let actionPrefixes: [(String, CourierAction)] = [
        ("已取件", .pickUp), ("取件", .pickUp), ("已取餐", .pickUp), ("取餐", .pickUp), ("picked up", .pickUp), ("pick up", .pickUp), ("pickup", .pickUp),
        ("已送达", .deliver), ("送达", .deliver), ("delivered", .deliver), ("deliver", .deliver),
    ]
}
