import Foundation

/// The report's sections as tables of typed cells. Both the XLSX and the CSV writer are fed
/// from here, so the two formats hold the same columns and the same values.
enum ReportTables {
    /// Sheet names in workbook order; CSV files use ``csvFileName(_:)`` of the same name.
    static let summary = "Summary"
    static let orders = "Orders"
    static let couriers = "Couriers"
    static let merchants = "Merchants"
    static let items = "Items"
    static let byHour = "By hour"
    static let payments = "Payments"
    static let sheetOrder = [summary, orders, couriers, merchants, items, byHour, payments]

    /// `Summary` → `summary.csv`, `By hour` → `by_hour.csv`.
    static func csvFileName(_ section: String) -> String {
        section.lowercased().replacingOccurrences(of: " ", with: "_") + ".csv"
    }

    /// One section written from the aggregates: its name, columns and every row.
    struct Section {
        var name: String
        var columns: [ReportColumn]
        var rows: [[ReportCell]]
    }

    /// Every section but Orders and Payments (both streamed), in workbook order.
    static func aggregateSections(_ aggregates: DailyAggregates, day: ReportDay) -> [Section] {
        [
            Section(name: summary, columns: summaryColumns, rows: summaryRows(aggregates.summary, day: day)),
            Section(name: couriers, columns: courierColumns, rows: aggregates.couriers.map(courierRow)),
            Section(name: merchants, columns: merchantColumns, rows: aggregates.merchants.map(merchantRow)),
            Section(
                name: items, columns: itemColumns,
                rows: aggregates.items.enumerated().map { itemRow($0.element, rank: $0.offset + 1) }),
            Section(name: byHour, columns: hourColumns, rows: aggregates.hours.map(hourRow)),
        ]
    }

    // MARK: Orders

    static let orderColumns = [
        ReportColumn("Order", width: 16), ReportColumn("Status", width: 11, repeats: true),
        ReportColumn("Placed", width: 20), ReportColumn("Confirmed", width: 20),
        ReportColumn("Dispatched", width: 20), ReportColumn("Picked up", width: 20),
        ReportColumn("Delivered", width: 20), ReportColumn("Cancelled", width: 20),
        ReportColumn("Cancel reason", width: 16, repeats: true), ReportColumn("Merchant", width: 18, repeats: true),
        ReportColumn("Courier", width: 12, repeats: true), ReportColumn("Items", width: 36),
        ReportColumn("Item count", width: 10), ReportColumn("Fee (yuan)", width: 10),
        ReportColumn("Total (yuan)", width: 12),
        ReportColumn("Promised", width: 20), ReportColumn("Minutes late", width: 12),
        ReportColumn("Delivery minutes", width: 15), ReportColumn("Distance (m)", width: 12),
        ReportColumn("Phone", width: 13), ReportColumn("Address (district)", width: 22, repeats: true),
        ReportColumn("Note", width: 30),
    ]

    static func orderRow(_ order: ReportOrder) -> [ReportCell] {
        let cancelReason = order.isCancelled ? (order.cancelReason ?? ReportOrder.unspecifiedCancelReason) : nil
        return [
            .textOrEmpty(order.id), .text(order.status),
            .dateTime(order.placedAt), .dateOrEmpty(order.confirmedAt),
            .dateOrEmpty(order.dispatchedAt), .dateOrEmpty(order.pickedUpAt),
            .dateOrEmpty(order.isCancelled ? nil : order.deliveredAt), .dateOrEmpty(order.cancelledAt),
            .textOrEmpty(cancelReason), .textOrEmpty(order.merchantName),
            .textOrEmpty(order.courierName), .textOrEmpty(itemsText(order.items)),
            .integer(order.items.reduce(0) { $0 + $1.quantity }), .yuan(fen: order.deliveryFeeFen),
            .yuan(fen: order.totalFen),
            .dateOrEmpty(order.promisedAt), .decimalOrEmpty(order.minutesLate),
            .decimalOrEmpty(order.deliverySeconds.map { Double($0) / 60 }), .integerOrEmpty(order.distanceMetres),
            .textOrEmpty(order.maskedPhone), .textOrEmpty(order.districtAddress),
            .textOrEmpty(order.note),
        ]
    }

    /// `宫保鸡丁×2; 米饭×1`.
    static func itemsText(_ items: [ReportItem]) -> String {
        items.map { "\($0.name)×\($0.quantity)" }.joined(separator: "; ")
    }

    // MARK: Summary

    static let summaryColumns = [ReportColumn("Metric", width: 46), ReportColumn("Value", width: 16)]

    static func summaryRows(_ summary: DailySummary, day: ReportDay) -> [[ReportCell]] {
        func minutes(_ seconds: Double?) -> ReportCell { .decimalOrEmpty(seconds.map { $0 / 60 }) }
        var rows: [[ReportCell]] = [
            [.text("Date"), .text(day.isoDate)],
            [.text("Time zone"), .text(day.timeZone.identifier)],
            [.text("Orders placed"), .integer(summary.placed)],
            [.text("Orders confirmed"), .integer(summary.confirmed)],
            [.text("Orders delivered"), .integer(summary.delivered)],
            [.text("Delivered after the day ended"), .integer(summary.deliveredAfterDay)],
            [.text("Orders cancelled"), .integer(summary.cancelled)],
        ]
        rows += summary.cancelledByReason.map { [.text("Cancelled: \($0.reason)"), .integer($0.count)] }
        rows += [
            [.text("Revenue (yuan, orders not cancelled)"), .yuan(fen: summary.revenueFen)],
            [.text("Delivery fees (yuan, within revenue)"), .yuan(fen: summary.deliveryFeesFen)],
            [.text("Average delivery minutes (confirmed to delivered)"), minutes(summary.averageDeliverySeconds)],
            [.text("P90 delivery minutes"), minutes(summary.p90DeliverySeconds.map(Double.init))],
            [.text("On-time rate (delivered by promised time)"), .ratioOrEmpty(summary.onTimeRate)],
            [.text("ETA mean absolute error (minutes)"), .decimalOrEmpty(summary.etaMeanAbsoluteErrorMinutes)],
            [.text("WeChat pushes sent"), .integer(summary.extras.pushesSent)],
            [.text("WeChat pushes failed"), .integer(summary.extras.pushesFailed)],
            [.text("SMS sent"), .integer(summary.extras.smsSent)],
            [.text("Board posts"), .integer(summary.extras.boardPosts)],
            [.text("Dead jobs"), .integer(summary.extras.deadJobs)],
        ]
        if let payments = summary.payments {
            rows += [
                [.text("Payments (WeChat Pay)"), .integer(payments.payments)],
                [.text("Paid (yuan)"), .yuan(fen: payments.paidFen)],
                [.text("Refunded (yuan)"), .yuan(fen: payments.refundedFen)],
                [.text("Net paid (yuan)"), .yuan(fen: payments.netFen)],
                [.text("Payments needing attention"), .integer(payments.needingAttention)],
            ]
        }
        rows += summary.topItems.enumerated().map {
            [.text("Top item \($0.offset + 1): \($0.element.name)"), .integer($0.element.quantity)]
        }
        return rows
    }

    // MARK: Couriers, merchants, items, hours

    static let courierColumns = [
        ReportColumn("Courier", width: 14), ReportColumn("Orders assigned", width: 15),
        ReportColumn("Deliveries", width: 11), ReportColumn("On-time rate", width: 12),
        ReportColumn("Average delivery minutes", width: 22), ReportColumn("Distance (km)", width: 13),
    ]

    static func courierRow(_ courier: CourierStats) -> [ReportCell] {
        [
            .text(courier.name), .integer(courier.assigned), .integer(courier.deliveries),
            .ratioOrEmpty(courier.onTimeRate), .decimalOrEmpty(courier.averageDeliverySeconds.map { $0 / 60 }),
            courier.deliveriesWithDistance == 0 ? .empty : .decimal(Double(courier.distanceMetres) / 1_000),
        ]
    }

    static let merchantColumns = [
        ReportColumn("Merchant", width: 20), ReportColumn("Orders", width: 9), ReportColumn("Delivered", width: 10),
        ReportColumn("Cancelled", width: 10), ReportColumn("Revenue (yuan)", width: 14),
        ReportColumn("Fees (yuan)", width: 12),
    ]

    static func merchantRow(_ merchant: MerchantStats) -> [ReportCell] {
        [
            .text(merchant.name), .integer(merchant.orders), .integer(merchant.delivered),
            .integer(merchant.cancelled), .yuan(fen: merchant.revenueFen), .yuan(fen: merchant.deliveryFeesFen),
        ]
    }

    static let itemColumns = [
        ReportColumn("Rank", width: 6), ReportColumn("Item", width: 22), ReportColumn("Quantity", width: 10),
        ReportColumn("Orders", width: 9), ReportColumn("Revenue (yuan)", width: 14),
    ]

    static func itemRow(_ item: ItemStats, rank: Int) -> [ReportCell] {
        [.integer(rank), .text(item.name), .integer(item.quantity), .integer(item.orders), .yuan(fen: item.revenueFen)]
    }

    static let hourColumns = [
        ReportColumn("Hour", width: 8), ReportColumn("Orders placed", width: 14), ReportColumn("Deliveries", width: 11),
    ]

    /// `07:00`.
    static func hourLabel(_ hour: Int) -> String { (hour < 10 ? "0" : "") + "\(hour):00" }

    static func hourRow(_ hour: HourStats) -> [ReportCell] {
        [.text(hourLabel(hour.hour)), .integer(hour.placed), .integer(hour.delivered)]
    }

    // MARK: Payments

    /// One table for the whole Payments sheet; the first column says what a row is (``PaymentRowKind``), so the
    /// CSV stays one rectangular table a spreadsheet can filter.
    static let paymentColumns = [
        ReportColumn("Row", width: 16, repeats: true), ReportColumn("Order", width: 16),
        ReportColumn("Merchant", width: 18, repeats: true), ReportColumn("Status", width: 18, repeats: true),
        ReportColumn("Paid (yuan)", width: 12), ReportColumn("Refunded (yuan)", width: 14),
        ReportColumn("Net (yuan)", width: 12),
        ReportColumn("Paid at", width: 20), ReportColumn("Transaction id", width: 32),
        ReportColumn("Needs attention", width: 34, repeats: true),
    ]

    /// What a row of the Payments sheet is.
    enum PaymentRowKind {
        static let payment = "payment"
        static let merchant = "merchant total"
        static let day = "day total"
        static let flag = "needs attention"
        static let note = "note"
    }

    /// Says the sheet is empty on purpose.
    static let paymentsOffNote = "WeChat Pay is off: orders are paid on delivery 未开通微信支付：货到付款"

    static func paymentRow(
        _ payment: ReportPayment, flag: PaymentFlag?, kind: String = PaymentRowKind.payment
    ) -> [ReportCell] {
        [
            .text(kind), .textOrEmpty(payment.orderID), .textOrEmpty(payment.merchantName), .text(payment.status),
            .yuan(fen: payment.paidFen), .yuan(fen: payment.refundedFen), .yuan(fen: payment.netFen),
            .dateOrEmpty(payment.paidAt), .textOrEmpty(payment.transactionID), .textOrEmpty(flag?.rawValue),
        ]
    }

    /// The rows after the payments: per merchant, the day total, then every flagged payment again ("needs
    /// attention"). With payment off and nothing paid, one note row instead.
    static func paymentTailRows(_ tally: PaymentTally) -> [[ReportCell]] {
        guard tally.isShown else {
            return [
                [.text(PaymentRowKind.note)] + Array(repeating: .empty, count: paymentColumns.count - 2) + [
                    .text(paymentsOffNote)
                ]
            ]
        }
        func sums(_ kind: String, _ name: String?, paid: Int, refunded: Int, note: String?) -> [ReportCell] {
            [
                .text(kind), .empty, .textOrEmpty(name), .empty, .yuan(fen: paid), .yuan(fen: refunded),
                .yuan(fen: paid - refunded),
                .empty, .empty, .textOrEmpty(note),
            ]
        }
        var rows = tally.merchantPayments.map {
            sums(PaymentRowKind.merchant, $0.name, paid: $0.paidFen, refunded: $0.refundedFen, note: nil)
        }
        let totals = tally.totals
        let attention = totals.needingAttention == 0 ? nil : "\(totals.needingAttention) payment(s) need attention 需处理"
        rows.append(sums(PaymentRowKind.day, nil, paid: totals.paidFen, refunded: totals.refundedFen, note: attention))
        rows += tally.flagged.map { paymentRow($0.payment, flag: $0.flag, kind: PaymentRowKind.flag) }
        return rows
    }
}
