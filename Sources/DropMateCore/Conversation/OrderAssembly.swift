/// Turns tokens into lines, notes and edits: binds each quantity to its item (before it, "两碗牛肉面", or after it,
/// "牛肉面两碗", as the message's first item shows), attaches each note to the item before it, and checks what was not
/// understood against the catalog's near-names.
struct Assembly {
    typealias Token = OrderScanner.Token

    let tokens: [Token]
    let catalog: Catalog
    private(set) var order = ParsedOrder()
    /// Unknown pieces that read as an address ("南京西路1266号").
    private(set) var addressPieces: [String] = []
    private(set) var verbAtStart = false
    private(set) var hasQuantity = false
    /// A quantity with a measure word or x ("2份", "2 bowls of", "x2"): surely a quantity, even before an item
    /// inside other words. "5 Tea House Lane" has a number, not a quantity.
    private(set) var hasMeasuredQuantity = false
    /// An item named inside other text with no space ("上海牛肉面馆"): maybe not an order at all.
    private(set) var embeddedItem = false
    /// An edit word that changed nothing ("我要取消").
    private(set) var sawEditWord = false

    init(tokens: [Token], catalog: Catalog) {
        self.tokens = tokens
        self.catalog = catalog
    }

    /// An item or unknown piece as named in the message, before it becomes a line, a suggestion or an unknown.
    struct Mention {
        enum Kind {
            case item(Int, ItemMatch)
            case text(String)
        }
        var kind: Kind
        var quantity: Int?
        var notes: [String] = []
        var isText: Bool {
            if case .text = kind { return true }
            return false
        }
    }

    private var mentions: [Mention] = []
    private var orderNotes: [String] = []

    mutating func run() {
        let meaningful = tokens.filter { $0 != .space && $0 != .boundary }
        if let first = meaningful.first, [.verb, .again, .joiner].contains(first) { verbAtStart = true }
        let postfix = quantitiesFollowItems()
        var pendingQuantity: Int?
        var pendingRemove = false
        var changing: (item: Int?, quantity: Int?)?
        var again = false
        var each = false
        var pendingReduce: Int?
        var pendingNotes: [String] = []
        var last: Int?  // the mention the next postfix quantity or note belongs to

        for (position, token) in tokens.enumerated() {
            switch token {
            case .space, .boundary, .verb:
                continue
            case .each:
                each = true
            case .joiner:
                continue
            case .quantity(let value, let measured):
                hasQuantity = hasQuantity || measured || nextMeaningful(after: position).map(Self.isNamed) == true
                hasMeasuredQuantity = hasMeasuredQuantity || measured
                let itemFollows: Bool
                if case .item? = nextMeaningful(after: position) { itemFollows = true } else { itemFollows = false }
                if pendingRemove, itemFollows {
                    pendingReduce = value  // "去掉一杯奶茶": one fewer
                } else if changing != nil, changing?.quantity == nil {
                    changing?.quantity = value
                    if changing?.item != nil || !itemFollows {
                        order.edits.append(
                            .setQuantity(item: changing?.item.map { catalog.items[$0] }, quantity: value))
                        changing = nil
                    }
                } else if each {
                    for index in mentions.indices where mentions[index].quantity == nil {
                        mentions[index].quantity = value
                    }
                    each = false
                } else if postfix, let last, mentions[last].quantity == nil, !(itemFollows && mentions[last].isText) {
                    mentions[last].quantity = value
                } else if nextMeaningful(after: position).map(Self.isNamed) == true {
                    pendingQuantity = value
                } else if let last, mentions[last].quantity == nil {
                    mentions[last].quantity = value
                } else if again {
                    order.edits.append(.addMore(quantity: value))
                    again = false
                } else {
                    order.unknown.append(String(value))
                }
            case .times(let value):
                hasQuantity = true
                hasMeasuredQuantity = true
                if let last, mentions[last].quantity == nil {
                    mentions[last].quantity = value
                } else {
                    order.unknown.append("x\(value)")
                }
            case .item(let item, let name):
                if isEmbedded(position), !mergesWithText(before: position) { embeddedItem = true }
                if pendingRemove {
                    order.edits.append(
                        pendingReduce.map { .reduce(catalog.items[item], by: $0) } ?? .remove(catalog.items[item]))
                    pendingRemove = false
                    pendingReduce = nil
                    last = nil
                } else if changing != nil, changing?.item == nil {
                    changing?.item = item
                    if let quantity = changing?.quantity {
                        order.edits.append(.setQuantity(item: catalog.items[item], quantity: quantity))
                        changing = nil
                    }
                } else if let index = last, index == mentions.count - 1, case .text(let typed) = mentions[index].kind,
                    let merged = misspelledWith(typed, name, item: item)
                {
                    // "bef noodles": the item's alias "noodles" after a misspelt word is one misspelt name.
                    mentions[index].kind = .item(item, .corrected(typed: merged))
                } else {
                    mentions.append(Mention(kind: .item(item, .exact), quantity: pendingQuantity, notes: pendingNotes))
                    pendingNotes = []
                    last = mentions.count - 1
                    pendingQuantity = nil
                    again = false
                }
            case .text(let text):
                if isEmbedded(position), !mergesWithItem(after: position) { embeddedItem = true }
                mentions.append(Mention(kind: .text(text), quantity: pendingQuantity, notes: pendingNotes))
                pendingNotes = []
                last = mentions.count - 1
                pendingQuantity = nil
            case .note(let note):
                // "1 iced milk tea": between a quantity and its item, a note is the item's.
                if pendingQuantity != nil {
                    pendingNotes.append(note)
                } else if let last {
                    mentions[last].notes.append(note)
                } else {
                    orderNotes.append(note)
                }
            case .remove:
                pendingRemove = true
                sawEditWord = true
            case .removePrevious:
                sawEditWord = true
                if let index = last, case .item(let item, _) = mentions[index].kind {
                    order.edits.append(.remove(catalog.items[item]))
                    mentions.remove(at: index)
                    last = nil
                }
            case .change:
                sawEditWord = true
                if let index = last, case .item(let item, _) = mentions[index].kind, mentions[index].quantity == nil,
                    index == mentions.count - 1
                {
                    mentions.removeLast()
                    last = nil
                    changing = (item, nil)
                } else {
                    changing = (nil, nil)
                }
            case .again:
                again = true
            }
        }
        if let changing, let quantity = changing.quantity {
            order.edits.append(.setQuantity(item: changing.item.map { catalog.items[$0] }, quantity: quantity))
        } else if let item = changing?.item {
            mentions.append(Mention(kind: .item(item, .exact), quantity: nil))  // "我只要牛肉面": just an order
        }
        if again, mentions.isEmpty, order.edits.isEmpty {
            order.edits.append(.addMore(quantity: pendingQuantity ?? 1))
        } else if let pendingQuantity {
            order.unknown.append(String(pendingQuantity))
        }
        finish()
    }

    /// Whether the text at `position` and the item after it are one misspelt name ("bef noodles").
    private func mergesWithItem(after position: Int) -> Bool {
        guard case .text(let typed) = tokens[position], position + 2 < tokens.count, tokens[position + 1] == .space,
            case .item(let item, let name) = tokens[position + 2]
        else { return false }
        return misspelledWith(typed, name, item: item) != nil
    }

    /// Whether the item at `position` and the text before it are one misspelt name.
    private func mergesWithText(before position: Int) -> Bool {
        position >= 2 && mergesWithItem(after: position - 2)
    }

    /// "bef" + "noodles" read as one name, when together they are a near-name of the same item.
    private func misspelledWith(_ typed: String, _ name: String, item: Int) -> String? {
        guard let last = typed.unicodeScalars.last, OrderLexicon.isLatin(last) else { return nil }
        let joined = typed + " " + name
        switch ItemMatcher(names: catalog.itemNames).verdict(for: joined) {
        case .corrected(item)?: return joined
        default: return nil
        }
    }

    /// Whether the message puts quantities after items ("牛肉面两碗 奶茶一杯"): its first item has a quantity right after
    /// it and none right before.
    private func quantitiesFollowItems() -> Bool {
        let meaningful = tokens.filter { $0 != .space && $0 != .boundary }
        guard let first = meaningful.firstIndex(where: Self.isNamed) else { return false }
        if first > 0, case .quantity = meaningful[first - 1] { return false }
        guard first + 1 < meaningful.count else { return false }
        switch meaningful[first + 1] {
        case .quantity, .times: return true
        default: return false
        }
    }

    private static func isNamed(_ token: Token) -> Bool {
        switch token {
        case .item, .text: true
        default: false
        }
    }

    /// The next token that is not a space or a note ("1 iced milk tea": the quantity's item comes after the note).
    private func nextMeaningful(after position: Int) -> Token? {
        tokens[(position + 1)...].first { token in
            if case .note = token { return false }
            return token != .space
        }
    }

    /// An item or text touching the other kind with no space between ("上海牛肉面馆"), or in an English sentence
    /// ("is the tea sweet", "the noodles were cold").
    private func isEmbedded(_ position: Int) -> Bool {
        func other(_ token: Token, acrossSpace: Bool) -> Bool {
            switch (tokens[position], token) {
            case (.item(_, let typed), .text(let text)), (.text(let text), .item(_, let typed)):
                guard acrossSpace else { return true }
                return [typed, text].allSatisfy { $0.unicodeScalars.contains(where: OrderLexicon.isLatin) }
            default: return false
            }
        }
        if position > 0, other(tokens[position - 1], acrossSpace: false) { return true }
        if position + 1 < tokens.count, other(tokens[position + 1], acrossSpace: false) { return true }
        if position > 1, tokens[position - 1] == .space, other(tokens[position - 2], acrossSpace: true) { return true }
        if position + 2 < tokens.count, tokens[position + 1] == .space, other(tokens[position + 2], acrossSpace: true) {
            return true
        }
        return false
    }

    /// Mentions become lines (a repeated item without a quantity only adds its notes to the first line), suggestions or
    /// unknown pieces.
    private mutating func finish() {
        let matcher = ItemMatcher(names: catalog.itemNames)
        var lines: [ParsedLine] = []
        var quantityGiven: [Bool] = []
        for mention in mentions {
            let note = mention.notes.isEmpty ? nil : Self.join(mention.notes)
            switch mention.kind {
            case .item(let index, let match):
                let item = catalog.items[index]
                if mention.quantity == nil, let earlier = lines.firstIndex(where: { $0.item == item }) {
                    if let note { lines[earlier].note = lines[earlier].note.map { Self.join([$0, note]) } ?? note }
                    continue
                }
                if let same = lines.firstIndex(where: { $0.item == item && $0.note == note }), quantityGiven[same],
                    mention.quantity != nil
                {
                    lines[same].quantity = min(lines[same].quantity + (mention.quantity ?? 1), OrderScanner.largest)
                    continue
                }
                lines.append(
                    ParsedLine(
                        item: item, quantity: mention.quantity ?? 1, note: note, match: match,
                        quantityGiven: mention.quantity != nil))
                quantityGiven.append(mention.quantity != nil)
            case .text(let text):
                switch matcher.verdict(for: text) {
                case .corrected(let index)?:
                    lines.append(
                        ParsedLine(
                            item: catalog.items[index], quantity: mention.quantity ?? 1, note: note,
                            match: .corrected(typed: text), quantityGiven: mention.quantity != nil))
                    quantityGiven.append(mention.quantity != nil)
                case .suggested(let index)?:
                    order.suggestions.append(
                        ItemSuggestion(
                            typed: text, item: catalog.items[index], quantity: mention.quantity ?? 1, note: note))
                case nil:
                    if Self.readsAsAddress(text) {
                        addressPieces.append(mention.quantity.map { "\($0) \(text)" } ?? text)
                    } else {
                        order.unknown.append(text)
                    }
                    if let note { orderNotes.append(note) }
                }
            }
        }
        order.lines = lines
        if !orderNotes.isEmpty { order.note = Self.join(orderNotes) }
    }

    static func join(_ notes: [String]) -> String {
        notes.joined(separator: notes.contains { $0.unicodeScalars.contains(where: OrderLexicon.isCJK) } ? "，" : ", ")
    }

    static func readsAsAddress(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        return scalars.count >= 3 && OrderLexicon.occurs(OrderLexicon.addressWords, in: scalars)
    }
}
