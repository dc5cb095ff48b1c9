/// What a customer's text means, before the conversation's context is applied.
public enum Intent: Sendable, Hashable {
    case greeting
    case help
    case menu
    case featured
    case confirm
    /// "取消" or "cancel #1001".
    case cancel(orderID: Int64?)
    /// "到哪了", "where is my order", "#1001".
    case eta(orderID: Int64?)
    /// "留言 …" / "post …" with the text after the keyword (maybe empty).
    case boardPost(String)
    case boardView
    /// An order: the lines it names (with notes), near-names to ask about, what matched nothing, and an address and
    /// a phone when the same message gave them. May also carry edits ("再来一份牛肉面，去掉奶茶"). See `ParsedOrder`.
    case order(ParsedOrder)
    /// Changes to what was ordered before, and nothing new: "牛肉面改成1份", "去掉奶茶", "再来一份", "不要香菜"; also the
    /// address or phone ("地址错了", "电话改成13900139000").
    case edit([OrderEdit])
    /// An address and a phone in one message ("南京西路1266号 恒隆广场 13800138000"), or an address introduced as
    /// one ("地址是…", "送到…"). A phone alone is `.phone`.
    case contact(address: String?, phone: PhoneNumber?)
    case phone(PhoneNumber)
    /// "同上 / same": the previous address.
    case sameAddress
    /// "再来一单 / reorder": the last order again (StepInProgress+Reorder).
    case reorder
    /// "绑定 123456 / bind 123456": a courier's binding code from staff.
    case bindCourier(code: String)
    /// Nothing recognised; in context it may still be an address.
    case other
}

/// Reads intents from free text in Chinese or English.
public struct IntentParser: Sendable {
    public var catalog: Catalog

    public init(catalog: Catalog) { self.catalog = catalog }

    /// The intent of `text`: keywords first (a whole message such as "确认", "取消", "菜单"), then board posts, binding
    /// codes, order references and a phone alone; then the whole message is read for an order, edits, or an address
    /// and a phone (`OrderTextParser`). `.other` when nothing applies (at the address step it is then the address).
    public func parse(_ text: String) -> Intent {
        let normalized = TextNormalizer.normalize(text)
        let bare = TextNormalizer.trimPunctuation(normalized)
        if let keyword = Self.keywords[bare] { return keyword }
        if let change = ContactChange.parse(bare, original: text) { return .edit([change]) }
        if let post = Self.boardPost(text.trimmingSpaces()) { return post }
        if let code = Self.bindingCode(bare) { return .bindCourier(code: code) }
        if let orderID = Self.orderReference(bare, prefixes: Self.cancelPrefixes) { return .cancel(orderID: orderID) }
        if let orderID = Self.orderReference(bare, prefixes: Self.etaPrefixes) { return .eta(orderID: orderID) }
        if Self.etaPhrases.contains(where: { TextNormalizer.contains(bare, $0) }) { return .eta(orderID: nil) }
        if let phone = Self.phone(bare) { return .phone(phone) }
        // An address keeps what the customer wrote (case, width, traditional characters), not the folded text.
        func original(_ address: String?) -> String? { address.map { TextNormalizer.original(of: $0, in: text) ?? $0 } }
        switch OrderTextParser(catalog: catalog).parse(normalized) {
        case .contact(nil, let phone?)?: return .phone(phone)
        case .contact(let address, let phone)?: return .contact(address: original(address), phone: phone)
        case .order(var order)?:
            order.address = original(order.address)
            return .order(order)
        case let intent?: return intent
        case nil: return .other
        }
    }

    static let keywords: [String: Intent] = {
        var table: [String: Intent] = [:]
        func add(_ intent: Intent, _ words: [String]) { for word in words { table[word] = intent } }
        add(.greeting, ["hi", "hello", "hey", "你好", "您好", "在吗", "嗨", "哈喽"])
        add(.help, ["help", "帮助", "?", "？", "怎么用", "使用说明", "说明", "h", "start"])
        add(.menu, ["menu", "ads", "ad", "list", "catalog", "菜单", "广告", "点餐", "看看", "有什么", "有什么吃的", "看菜单", "food"])
        add(.featured, ["今日推荐", "推荐", "特价", "special", "today's special", "todays special", "deal", "featured"])
        add(
            .confirm,
            ["确认", "确定", "好的", "好", "是", "对", "确认下单", "confirm", "yes", "y", "ok", "okay", "sure", "confirm order"])
        add(.cancel(orderID: nil), ["取消", "不要了", "算了", "取消订单", "cancel", "cancel order", "no", "n"])
        add(
            .eta(orderID: nil),
            [
                "到哪了", "到哪里了", "我的订单", "订单状态", "进度", "多久", "还要多久", "什么时候到", "eta", "status", "order status", "track",
                "where is my order", "where's my order", "my order", "my orders", "查订单", "订单", "order", "orders",
            ])
        add(.boardView, ["留言板", "看留言", "board", "message board", "posts"])
        add(
            .reorder,
            [
                "再来一单", "再下一单", "再点一单", "照旧", "老样子", "和上次一样", "跟上次一样", "reorder", "order again", "same again",
                "the usual",
            ])
        add(.sameAddress, ["同上", "老地址", "上次的地址", "原地址", "same", "same address", "same as last time"])
        return table
    }()

    static let etaPhrases = ["到哪", "where is my", "where's my", "when will", "多久到", "什么时候到"]
    static let cancelPrefixes = ["取消订单", "取消", "cancel order", "cancel"]
    static let etaPrefixes = ["订单", "order", "查", "track", "eta", "status", ""]

    /// "留言 好吃" → .boardPost("好吃"); "Post Hello" → .boardPost("Hello"): the body keeps the customer's own case.
    static func boardPost(_ text: String) -> Intent? {
        // Every message asks this; most start with none of the keywords' first letters.
        guard let first = text.unicodeScalars.first, first == "留" || "pPbB".unicodeScalars.contains(first) else {
            return nil
        }
        let lowered = text.lowercased()
        for prefix in ["留言", "post", "board post"] where lowered.hasPrefix(prefix) {
            let rest = text.dropFirst(prefix.count)
            guard prefix == "留言" || rest.isEmpty || rest.first == " " || rest.first == ":" else { continue }
            if prefix == "留言", rest.hasPrefix("板") { continue }
            return .boardPost(TextNormalizer.trimLeading(String(rest), of: " :：,，"))
        }
        return nil
    }

    /// "#1001", "订单 1001", "cancel #1001" → 1001, when `text` is one of `prefixes` followed by a number.
    static func orderReference(_ text: String, prefixes: [String]) -> Int64? {
        for prefix in prefixes where text.hasPrefix(prefix) {
            var rest = Substring(text.dropFirst(prefix.count))
            rest = rest.drop { $0 == " " }
            guard rest.first == "#" || (!prefix.isEmpty && rest.first?.isNumber == true) else { continue }
            if rest.first == "#" { rest = rest.dropFirst() }
            guard !rest.isEmpty, rest.count <= 12, rest.allSatisfy({ $0.isASCII && $0.isNumber }) else { continue }
            return Int64(rest)
        }
        return nil
    }

    /// "绑定 K7M2Q9PX", "bind k7m2q9px" → "K7M2Q9PX": a short run of letters and digits after the keyword (an English
    /// keyword needs a space, so "bindings" is no attempt). See `BindingCodePolicy.attempt`.
    static func bindingCode(_ text: String) -> String? {
        for prefix in ["绑定骑手", "绑定", "bind courier", "bind"] where text.hasPrefix(prefix) {
            let rest = text.dropFirst(prefix.count)
            if prefix.first?.isASCII == true, let next = rest.first, !" :：#".contains(next) { return nil }
            return BindingCodePolicy.attempt(rest.drop { " :：#".contains($0) })
        }
        return nil
    }

    /// A phone number alone, or after "电话" / "phone" / "手机".
    static func phone(_ text: String) -> PhoneNumber? {
        var rest = Substring(text)
        for prefix in ["手机号", "电话", "手机", "phone", "tel", "mobile"] where rest.hasPrefix(prefix) {
            rest = rest.dropFirst(prefix.count).drop { " :：".contains($0) }
            break
        }
        return PhoneNumber(String(rest))
    }
}
