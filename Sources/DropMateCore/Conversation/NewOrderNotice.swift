extension ReplyRenderer {
    /// What subscribed staff read in WeChat when an order is ready to dispatch (confirmed, or paid when payment
    /// is required), Chinese then English: number, shop, items with the customer's notes, total and promised time.
    /// No phone number and no address: those stay in the console.
    public func newOrderText(_ order: Order, catalog: Catalog, paid: Bool = false) -> String {
        let zh = Replies(language: .zh, catalog: catalog, renderer: self),
            en = Replies(language: .en, catalog: catalog, renderer: self)
        let merchant = catalog.merchant(id: order.merchantID)
        let shopZH = merchant?.name.zh ?? order.merchantID, shopEN = merchant?.name.en ?? order.merchantID
        let eta = (order.latestETA ?? order.promisedAt).map(clockTime)
        var text = "【新订单\(paid ? "·已付款" : "")】#\(order.id) \(shopZH)：\(zh.lines(order.lines))，合计 \(order.total)"
        if let eta { text += "，预计 \(eta) 送达" }
        if let note = order.note { text += "，备注：\(note)" }
        text +=
            "\n[New order\(paid ? ", paid" : "")] #\(order.id) \(shopEN): \(en.lines(order.lines)), total \(order.total)"
        if let eta { text += ", due \(eta)" }
        if let note = order.note { text += ", note: \(note)" }
        return text + "\n请在控制台派单 Dispatch it in the console."
    }
}
