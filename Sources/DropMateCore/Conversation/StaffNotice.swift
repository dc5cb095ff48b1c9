/// Something staff must hear about a customer's chat. The engine queues one `staff-notice` job for it, which
/// sends it to every subscribed staff member's WeChat (the console will show it too, when there is one).
public struct StaffNotice: Sendable, Hashable {
    public enum Reason: String, Sendable, Hashable, Codable {
        /// "人工客服 / human": the customer asked for a person.
        case handoff
        /// "退款 / 发票": the customer needs a person for a refund or an invoice.
        case refund, invoice
        /// A message the customer wrote while a person is handling their chat.
        case message
        /// "催单 / hurry up".
        case hurry
        /// The customer cancelled a confirmed order.
        case cancelled
        /// The customer asked to change a confirmed order (they were offered to cancel it and order again).
        case change
    }

    public var reason: Reason
    /// The customer's OpenID.
    public var customer: String
    /// The customer's own words (the engine masks phone numbers in them before they leave); empty: none worth quoting.
    public var message: String
    /// What the customer is ordering, if anything.
    public var draft: OrderDraft?
    /// The orders it is about: the customer's open orders, or the one just cancelled.
    public var orders: [Order]
    /// The customer's number, shown masked.
    public var phone: PhoneNumber?
    /// The conversation before this message, oldest first (`ConversationState.recent`: "> " the customer, "< " DropMate).
    public var recent: [String]

    public init(
        reason: Reason, customer: String, message: String, draft: OrderDraft?, orders: [Order], phone: PhoneNumber?,
        recent: [String] = []
    ) {
        self.recent = recent
        self.reason = reason
        self.customer = customer
        self.message = message
        self.draft = draft
        self.orders = orders
        self.phone = phone
    }
}

extension ReplyRenderer {
    /// A staff notice's text, Chinese then English (staff have no language of their own on record). Phone numbers
    /// of the customer are masked; the customer's words are shown as written (the engine masks numbers in them).
    public func staffText(_ notice: StaffNotice, catalog: Catalog) -> String {
        let zh = Replies(language: .zh, catalog: catalog, renderer: self),
            en = Replies(language: .en, catalog: catalog, renderer: self)
        let who = notice.customer + (notice.phone.map { "（\($0.masked)）" } ?? " ")
        let whoEN = notice.customer + (notice.phone.map { " (\($0.masked))" } ?? "")
        let (title, titleEN): (String, String)
        switch notice.reason {
        case .handoff: (title, titleEN) = ("【转人工】顾客 \(who)请人工客服回复", "[Handoff] customer \(whoEN) asks for a person")
        case .refund: (title, titleEN) = ("【退款】顾客 \(who)要退款，请人工处理", "[Refund] customer \(whoEN) asks for a refund")
        case .invoice: (title, titleEN) = ("【发票】顾客 \(who)要发票，请人工处理", "[Invoice] customer \(whoEN) asks for an invoice")
        case .message: (title, titleEN) = ("【人工中】顾客 \(who)又发来消息", "[Handoff] customer \(whoEN) wrote again")
        case .hurry: (title, titleEN) = ("【催单】顾客 \(who)在催单", "[Hurry] customer \(whoEN) asks to hurry")
        case .cancelled: (title, titleEN) = ("【取消】顾客 \(who)取消了订单", "[Cancelled] customer \(whoEN) cancelled")
        case .change:
            (title, titleEN) = ("【改单】顾客 \(who)想修改已确认的订单", "[Change] customer \(whoEN) asks to change a confirmed order")
        }
        let quoted = notice.message.isEmpty ? "" : "：“\(notice.message)”",
            quotedEN = notice.message.isEmpty ? "" : ": \"\(notice.message)\""
        var text = title + quoted
        for order in notice.orders { text += "\n订单 #\(order.id)：\(zh.lines(order.lines))，\(zh.stage(order))" }
        if let draft = notice.draft { text += "\n未下单：\(zh.lines(draft.lines))" }
        text += "\n" + titleEN + quotedEN
        for order in notice.orders { text += "\nOrder #\(order.id): \(en.lines(order.lines)), \(en.stage(order))" }
        if let draft = notice.draft { text += "\nNot placed yet: \(en.lines(draft.lines))" }
        // The earlier conversation, as it was said (the engine masks phone numbers in the whole text).
        if !notice.recent.isEmpty {
            text += "\n最近对话 Recent conversation:"
            for line in notice.recent {
                let byCustomer = line.hasPrefix(">")
                text += "\n" + (byCustomer ? "顾客 customer: " : "DropMate: ") + line.dropFirst(2)
            }
        }
        return text
    }
}
