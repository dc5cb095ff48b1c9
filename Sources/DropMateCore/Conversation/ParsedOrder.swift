/// What one customer message says about an order, read as a whole: the items it names (with quantities and notes),
/// changes to what was ordered before, an address and a phone given along, and everything that was not understood.
///
/// The parser never guesses silently: a near-name it is not sure of is a `suggestion` (ask "您是说牛肉面吗？"),
/// a near-name it took is marked `.corrected` on its line, and text it could not read is in `unknown` ("没看懂：…").
public struct ParsedOrder: Sendable, Hashable {
    /// New items to add, in the order named; one line per item and note.
    public var lines: [ParsedLine]
    /// Pieces that named nothing on the menu, as the customer typed them (say them back).
    public var unknown: [String]
    /// Near-names the parser will not take without asking ("牛柔面" → "您是说牛肉面吗？"). Nothing was added for them.
    public var suggestions: [ItemSuggestion]
    /// A note that follows no item ("不要香菜，两碗牛肉面"): for the whole order.
    public var note: String?
    /// Changes to lines ordered earlier in the conversation ("去掉奶茶", "改成3份", "再来一份").
    public var edits: [OrderEdit]
    /// An address given in the same message ("送到南京西路1266号"), as typed.
    public var address: String?
    /// A mobile number given in the same message.
    public var phone: PhoneNumber?

    public init(
        lines: [ParsedLine] = [], unknown: [String] = [], suggestions: [ItemSuggestion] = [], note: String? = nil,
        edits: [OrderEdit] = [], address: String? = nil, phone: PhoneNumber? = nil
    ) {
        self.lines = lines
        self.unknown = unknown
        self.suggestions = suggestions
        self.note = note
        self.edits = edits
        self.address = address
        self.phone = phone
    }

    /// Whether every piece of the message was understood with certainty (nothing to ask or say back).
    public var isClear: Bool { unknown.isEmpty && suggestions.isEmpty }
}

/// One item the customer asked for.
public struct ParsedLine: Sendable, Hashable {
    public var item: CatalogItem
    /// As typed; 1 when no quantity was given. May be out of the shop's range (0, 999): the flow checks.
    public var quantity: Int
    /// An instruction for this item ("不要香菜", "去冰", "no cilantro"), as typed.
    public var note: String?
    /// How the item's name was recognised.
    public var match: ItemMatch
    /// Whether the customer wrote a quantity. "奶茶去冰" alone (no quantity) may mean the 奶茶 already ordered: the flow
    /// can treat it as a note for that line rather than one more 奶茶.
    public var quantityGiven: Bool

    public init(
        item: CatalogItem, quantity: Int, note: String? = nil, match: ItemMatch = .exact, quantityGiven: Bool = true
    ) {
        self.item = item
        self.quantity = quantity
        self.note = note
        self.match = match
        self.quantityGiven = quantityGiven
    }
}

/// How a line's item was recognised from what the customer typed.
public enum ItemMatch: Sendable, Hashable {
    /// The item's name or one of its aliases, as written (case, width and traditional characters folded).
    case exact
    /// A close, unambiguous misspelling ("beef noodels") taken as this item: show the item's name back.
    case corrected(typed: String)
}

/// A near-name the parser would not take by itself: ask whether the customer meant `item`.
public struct ItemSuggestion: Sendable, Hashable {
    /// What the customer typed ("牛柔面").
    public var typed: String
    /// The closest item.
    public var item: CatalogItem
    /// The quantity that went with it (1 when none was given), so a "yes" can add it.
    public var quantity: Int
    public var note: String?

    public init(typed: String, item: CatalogItem, quantity: Int, note: String? = nil) {
        self.typed = typed
        self.item = item
        self.quantity = quantity
        self.note = note
    }
}

/// A change to lines ordered in earlier messages (the draft, or an order not yet confirmed).
public enum OrderEdit: Sendable, Hashable {
    /// "牛肉面改成1份", "make it 3 beef noodles": this item's quantity becomes `quantity`.
    /// `item` nil ("改成3份", "make it 3"): the line the customer last added (the only one, if there is one).
    case setQuantity(item: CatalogItem?, quantity: Int)
    /// "去掉奶茶", "不要奶茶了", "奶茶不要了", "remove the tea", "no tea": drop this item's lines.
    case remove(CatalogItem)
    /// "去掉一杯奶茶", "减掉一个茶叶蛋": `by` fewer of this item (its line goes when none are left).
    case reduce(CatalogItem, by: Int)
    /// "再来一份", "one more", "再来两份": `quantity` more of the line the customer last added.
    case addMore(quantity: Int)
    /// A note alone ("不要香菜", "奶茶去冰" for an item already ordered): for `item`'s line, or the whole order when nil.
    case note(String, item: CatalogItem?)
    /// "地址错了" (nil: ask for the new one), "地址改成南京西路1266号", "change the address to …" (`ContactChange`).
    case address(String?)
    /// "电话改成13900139000", "电话错了" (nil: ask for the new one), "wrong number".
    case phone(PhoneNumber?)

    /// Whether it changes where to deliver or how to reach the customer rather than what they ordered.
    public var isContactChange: Bool {
        switch self {
        case .address, .phone: true
        default: false
        }
    }
}
