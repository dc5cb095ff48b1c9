import Foundation

/// "货到付款" / "cash", optionally with an order number ("货到付款 #1002", "cash 1002"): the customer asks to pay on
/// delivery. Only whole messages count, so "cash" inside an order or an address is never taken for it.
public struct CashOnDeliveryRequest: Sendable, Hashable {
    /// The order the customer named, if any.
    public var orderID: Int64?

    public init(orderID: Int64?) { self.orderID = orderID }

    static let phrases: Set<String> = [
        "货到付款", "到付", "货到付", "现金", "付现金", "现金支付", "现金付款", "送到付款", "送达付款", "当面付", "当面付款",
        "我要货到付款", "选择货到付款", "货到付款吧", "我货到付款", "用现金",
        "cash", "cash on delivery", "pay cash", "pay in cash", "pay on delivery", "pay at the door", "cod",
        "i'll pay cash", "ill pay cash",
    ]

    /// The request `text` makes, or nil when it is anything else.
    public static func parse(_ text: String) -> CashOnDeliveryRequest? {
        var words = text.lowercased().trimmingCharacters(
            in: .whitespacesAndNewlines.union(.punctuationCharacters).subtracting(CharacterSet(charactersIn: "#'")))
        words = words.replacingOccurrences(of: "，", with: " ").replacingOccurrences(of: ",", with: " ")
        // A trailing order number: "#1002", "1002", "订单1002".
        var orderID: Int64?
        if let range = words.range(of: #"\s*(订单|order)?\s*#?\s*[0-9]{1,12}$"#, options: .regularExpression) {
            let digits = words[range].filter(\.isNumber)
            orderID = Int64(digits)
            words = String(words[..<range.lowerBound])
        }
        let phrase = words.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            .trimmingCharacters(
                in: .punctuationCharacters.union(.whitespaces).subtracting(CharacterSet(charactersIn: "'")))
        guard phrases.contains(phrase) else { return nil }
        return CashOnDeliveryRequest(orderID: orderID)
    }
}
