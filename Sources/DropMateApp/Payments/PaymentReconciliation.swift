import DropMateCore
import DropMateStorage
import Foundation

/// A day's WeChat Pay trade bill against our payments: every difference, each a line a person can act on.
public struct PaymentReconciliation: Sendable, Equatable {
    /// One line of the bill (WeChat Pay writes every value with a leading backquote; amounts in yuan).
    public struct BillLine: Sendable, Equatable {
        public var transactionID: String
        public var outTradeNo: String
        /// `SUCCESS` (a payment) or `REFUND` (a refund line).
        public var state: String
        public var amountFen: Int
        public var outRefundNo: String
        public var refundFen: Int
    }

    public var differences: [String]
    public var billLines: Int
    public var checkedPayments: Int

    /// Parses the bill's transaction lines (up to its totals). Throws on a line whose amounts are not money.
    public static func parse(bill: String) throws -> [BillLine] {
        var lines: [BillLine] = []
        for (index, raw) in bill.split(whereSeparator: \.isNewline).enumerated() {
            if index == 0 { continue }  // the header
            if raw.hasPrefix("总交易单数") { break }  // the totals follow
            let fields = raw.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.hasPrefix("`") ? String($0.dropFirst()) : String($0)
            }
            guard fields.count >= 17 else { throw BillError(line: index + 1, reason: "has \(fields.count) fields") }
            guard let amount = fen(fields[12]), let refund = fen(fields[16]) else {
                throw BillError(line: index + 1, reason: "an amount is not yuan.fen")
            }
            lines.append(
                BillLine(
                    transactionID: fields[5], outTradeNo: fields[6], state: fields[9], amountFen: amount,
                    outRefundNo: fields[15], refundFen: refund))
        }
        return lines
    }

    /// "18.00" → 1800, without floating point.
    static func fen(_ yuan: String) -> Int? {
        let parts = yuan.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int(parts[0]), whole >= 0 else { return nil }
        guard parts.count == 2 else { return whole * 100 }
        guard parts[1].count <= 2, let cents = Int(parts[1].padding(toLength: 2, withPad: "0", startingAt: 0)) else {
            return nil
        }
        return whole * 100 + cents
    }

    public struct BillError: Error, Sendable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "trade bill line \(line) \(reason)" }
    }

    /// Compares the bill with `ours` (payments by trade number, those opened around the day) and names every
    /// difference. `paidThatDay` says which of ours the bill must list.
    public static func compare(
        bill: [BillLine], ours: [String: OrderPayment], paidThatDay: (OrderPayment) -> Bool
    ) -> PaymentReconciliation {
        var differences: [String] = []
        var billed = Set<String>()
        for line in bill where line.state == "SUCCESS" {
            billed.insert(line.outTradeNo)
            guard let payment = ours[line.outTradeNo] else {
                differences.append(
                    "\(line.outTradeNo): paid \(Money(fen: line.amountFen)) at WeChat Pay (\(line.transactionID)), unknown here"
                )
                continue
            }
            if !payment.isPaid {
                differences.append(
                    "\(line.outTradeNo): paid at WeChat Pay (\(line.transactionID)), \(payment.status.rawValue) here")
            }
            if payment.amount.fen != line.amountFen {
                differences.append(
                    "\(line.outTradeNo): WeChat Pay has \(Money(fen: line.amountFen)), we have \(payment.amount)")
            }
            if let ours = payment.transactionID, ours != line.transactionID {
                differences.append("\(line.outTradeNo): transaction \(line.transactionID) at WeChat Pay, \(ours) here")
            }
        }
        for (number, payment) in ours.sorted(by: { $0.key < $1.key })
        where paidThatDay(payment) && !billed.contains(number) {
            differences.append(
                "\(number): paid \(payment.amount) here (\(payment.transactionID ?? "?")), missing from WeChat Pay's bill"
            )
        }
        for line in bill where line.state == "REFUND" {
            let refund = ours[line.outTradeNo]?.refunds.first { $0.outRefundNo == line.outRefundNo }
            guard let refund else {
                differences.append(
                    "\(line.outTradeNo): refund \(line.outRefundNo) of \(Money(fen: line.refundFen)) at WeChat Pay, unknown here"
                )
                continue
            }
            if refund.status != .succeeded {
                differences.append(
                    "\(line.outTradeNo): refund \(line.outRefundNo) succeeded at WeChat Pay, \(refund.status.rawValue) here"
                )
            }
            if refund.amount.fen != line.refundFen {
                differences.append(
                    "\(line.outTradeNo): refund \(line.outRefundNo) is \(Money(fen: line.refundFen)) at WeChat Pay, \(refund.amount) here"
                )
            }
        }
        return PaymentReconciliation(differences: differences, billLines: bill.count, checkedPayments: ours.count)
    }
}

extension PaymentService {
    /// Downloads the bill of `date` (YYYY-MM-DD, business day at UTC+8 as WeChat Pay keeps it) and compares it.
    public func reconcile(date: String) async throws -> PaymentReconciliation {
        let bill = try PaymentReconciliation.parse(bill: try await client.tradeBill(date: date))
        guard let start = Self.dayStart(date) else {
            throw PaymentReconciliation.BillError(line: 0, reason: "date \(date) is not YYYY-MM-DD")
        }
        // Payments open for at most the timeout: those opened from a day before to the day's end cover the day.
        let rows = try await payments.opened(from: start - 86_400, to: start + 86_400)
        var ours: [String: OrderPayment] = [:]
        for row in rows { ours[row.payment.outTradeNo] = row.payment }
        return PaymentReconciliation.compare(bill: bill, ours: ours) { payment in
            guard let paidAt = payment.paidAt else { return false }
            return paidAt >= start && paidAt < start + 86_400
        }
    }

    static func dayStart(_ date: String) -> Int64? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.date(from: date).map { Int64($0.timeIntervalSince1970) }
    }
}
