/// Who reads a customer's whole phone number. The one rule, used by every place that shows an order's number
/// (the staff API, the courier's chat and SMS, the customer lookup):
///
/// - an **admin** sees every number whole;
/// - a **dispatcher** sees every number masked (`138****8000`);
/// - a **courier** sees the whole number only of an order currently dispatched to them and not yet delivered
///   or cancelled; every other order masked;
/// - everything else (customers' own summaries, pages, logs, reports, audit) shows numbers masked or not at all.
///
/// Couriers' own numbers are never shown to customers: a customer who asks for the courier's number ("骑手电话多少")
/// is told the courier (by name) will call the number the customer gave, shown masked. A masked courier number would
/// be of no use to them, and a whole one is more than this rule gives anyone outside staff.
///
/// Courier powers come only from credentials an admin issues (creating a courier, binding codes, courier app
/// tokens), and are checked against the courier record on every use, so nobody below an admin can make
/// themselves a courier to read more than this rule allows.
public enum PhoneReader: Sendable, Hashable {
    case admin
    case dispatcher
    /// A courier (nil: a courier account linked to no courier record).
    case courier(id: Int64?)
}

extension Order {
    /// Whether `reader` may see this order's phone number whole (see `PhoneReader`).
    public func showsWholePhone(to reader: PhoneReader) -> Bool {
        switch reader {
        case .admin: true
        case .dispatcher: false
        case .courier(let id): id != nil && id == courierID && status == .dispatched
        }
    }

    /// The order's phone number as `reader` may see it.
    public func phone(shownTo reader: PhoneReader) -> String {
        showsWholePhone(to: reader) ? phone.digits : phone.masked
    }
}
