/// Cuts a normalized message into tokens (items, quantities, notes, edit words, unknown text) in one pass over its
/// scalars. At each position the catalog's names are tried first, then numbers, then the lexicon's words; what matches
/// nothing is collected as unknown text. No regular expressions: a message costs a few thousand scalar comparisons.
struct OrderScanner {
    enum Token: Equatable {
        /// A catalog item (index into `Catalog.items`) and the text that named it.
        case item(Int, typed: String)
        /// "两碗", "2份", "2", "two", "2x": `measured` when a measure word or "x" makes it surely a quantity.
        case quantity(Int, measured: Bool)
        /// "x2", "×2", "*2": a quantity for the item before it.
        case times(Int)
        case verb
        /// "再来", "one more": more of something.
        case again
        /// "和", "加", "and", "+": between items.
        case joiner
        /// "各": the next quantity is for every item named before it.
        case each
        /// Punctuation or an emoji.
        case boundary
        /// A space or a skipped filler word.
        case space
        case note(String)
        /// "去掉", "remove": removes the item named next.
        case remove
        /// "不要了" after an item, at the end of the message: removes that item.
        case removePrevious
        /// "改成", "make it": the quantity (and item) that follow replace a line's quantity.
        case change
        /// Text that matched nothing.
        case text(String)
    }

    let text: [Unicode.Scalar]
    let names: [ItemName]
    /// The scalars catalog names start with.
    let itemStarters: Set<Unicode.Scalar>
    private(set) var tokens: [Token] = []
    /// An address introduced by "送到", "地址", "deliver to" (the rest of the message).
    private(set) var address: String?
    private var run: [Unicode.Scalar] = []

    init(_ text: [Unicode.Scalar], names: [ItemName], itemStarters: Set<Unicode.Scalar>) {
        self.text = text
        self.names = names
        self.itemStarters = itemStarters
    }

    typealias Lex = OrderLexicon

    mutating func scan() {
        var index = 0
        while index < text.count { index = step(at: index) }
        flush()
        mergeEnglishWords()
    }

    /// Reads one token at `index`; returns where the next one starts.
    private mutating func step(at index: Int) -> Int {
        let scalar = text[index]
        if scalar == " " { emit(.space); return index + 1 }
        if Lex.isBoundary(scalar) { emit(.boundary); return index + 1 }
        if !Lex.starters.contains(scalar), !itemStarters.contains(scalar) {
            run.append(scalar)
            return index + 1
        }
        if let length = Lex.addressPrefixes.match(text, at: index), let address = addressAfter(index + length) {
            self.address = address
            return text.count
        }
        if let (item, length) = item(at: index) {
            emit(.item(item, typed: string(index..<index + length)))
            return index + length
        }
        if let (value, length) = times(at: index) { emit(.times(value)); return index + length }
        if let length = Lex.oneMore.match(text, at: index) {
            emit(.again); emit(.quantity(1, measured: false)); return index + length
        }
        switch number(at: index) {
        case .quantity(let value, let measured, let length)?:
            // "两碗牛肉面 一碗不要辣", "一杯去冰": a quantity that starts a note is part of it (but "牛肉面两碗都不要香菜"
            // is the item's quantity, then a note).
            // In English a space comes between: "4 beef noodles, 2 without cilantro", "one with no ice".
            var next = skipSpaces(from: index + length)
            if Lex.has(Self.with, in: text, at: next) { next = skipSpaces(from: next + Self.with.count) }
            if next > index + length, next < text.count, !Lex.isLatin(text[next]) { next = text.count }
            if next < text.count, !itemFollows(next),
                Lex.removal.match(text, at: next) != nil || Lex.notePrefixes.match(text, at: next) != nil
                    || (Lex.add.match(text, at: next) != nil && isKitchenNote(from: next)),
                !(index > 0 && item(endingAt: index) && !itemHasQuantityBefore),
                !containsItem(index..<noteEnd(from: index)),
                item(at: skipSpaces(from: noteEnd(from: index))) == nil
            {
                return note(from: index)
            }
            emit(.quantity(value, measured: measured))
            return index + length
        case .notQuantity(let length)?: run.append(contentsOf: text[index..<index + length]); return index + length
        case nil: break
        }
        if let length = Lex.measures.match(text, at: index), item(at: index + length) != nil {
            emit(.quantity(1, measured: true))
            return index + length
        }
        if let length = Lex.again.match(text, at: index) { emit(.again); return index + length }
        if let length = Lex.removal.match(text, at: index) {
            let next = skipFillers(from: index + length)
            if itemFollows(next) { emit(.remove); return index + length }
            if onlyFillersFrom(next) { emit(.removePrevious); return text.count }
            // "牛肉面不要了，来两杯奶茶": the item before is dropped, the rest is read on.
            if index + length < text.count, text[index + length] == "了", item(endingAt: index) {
                emit(.removePrevious); return index + length + 1
            }
            if Lex.removalOnly.match(text, at: index) != nil { emit(.remove); return index + length }
            return note(from: index)
        }
        if let length = Lex.change.match(text, at: index) { emit(.change); return index + length }
        if let length = Lex.add.match(text, at: index) {
            let next = skipFillers(from: index + length)
            // "加一个茶叶蛋" adds an item, "加辣" is a note, "加可乐" / "add cheese" names something not on the menu.
            if itemFollows(next) || number(at: next) != nil || !isKitchenNote(from: index) {
                emit(.joiner); return index + length
            }
            return note(from: index)
        }
        if let length = Lex.joiners.match(text, at: index) { emit(.joiner); return index + length }
        if let length = Lex.each.match(text, at: index) { emit(.each); return index + length }
        if let length = Lex.verbs.match(text, at: index),
            length > 1 || quantityOrItemFollows(skipFillers(from: index + length))
        {
            emit(.verb)
            return index + length
        }
        if Lex.notePrefixes.match(text, at: index) != nil {
            // "spicy sour sop" is a misspelt item, not a note.
            if Lex.isLatin(scalar), let end = latinRunEnd(from: index),
                case .corrected? = ItemMatcher(names: names).verdict(for: string(index..<end))
            {
                run.append(contentsOf: text[index..<end])
                return end
            }
            return note(from: index)
        }
        if let length = Lex.fillers.match(text, at: index) { emit(.space); return index + length }
        run.append(scalar)
        return index + 1
    }

    static let with = Array("with".unicodeScalars)

    private mutating func emit(_ token: Token) {
        flush()
        tokens.append(token)
    }

    private mutating func flush() {
        guard !run.isEmpty else { return }
        tokens.append(.text(Self.string(run[...])))
        run = []
    }

    private func string(_ range: Range<Int>) -> String { Self.string(text[range]) }

    static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// "beef noodels" is one unknown piece, not two: English words separated by a space are joined back.
    private mutating func mergeEnglishWords() {
        var merged: [Token] = []
        for token in tokens {
            if case .text(let next) = token, merged.count >= 2, case .space = merged[merged.count - 1],
                case .text(let previous) = merged[merged.count - 2],
                let last = previous.unicodeScalars.last, Lex.isLatin(last), let first = next.unicodeScalars.first,
                Lex.isLatin(first)
            {
                merged.removeLast(2)
                merged.append(.text(previous + " " + next))
            } else {
                merged.append(token)
            }
        }
        tokens = merged
    }

    // MARK: - Items and numbers

    /// The longest catalog name at `index` (English names also with a plural "s"/"es", and only as whole words).
    func item(at index: Int) -> (item: Int, length: Int)? {
        for name in names {
            let word = name.scalars
            guard index + word.count <= text.count, text[index] == word[0] else { continue }
            var offset = 1
            while offset < word.count, text[index + offset] == word[offset] { offset += 1 }
            guard offset == word.count else { continue }
            guard Lex.isLatin(word[word.count - 1]) || Lex.isLatin(word[0]) else { return (name.item, word.count) }
            if index > 0, Lex.isLatin(text[index - 1]) { continue }
            var end = index + word.count
            if end < text.count, text[end] == "e", end + 1 < text.count, text[end + 1] == "s" {
                end += 2
            } else if end < text.count, text[end] == "s" {
                end += 1
            }
            if end < text.count, Lex.isLatin(text[end]) {
                end = index + word.count
                guard end >= text.count || !Lex.isLatin(text[end]) else { continue }
            }
            return (name.item, end - index)
        }
        return nil
    }

    /// Whether an item, or a quantity with a measure word, comes at `index` ("来一份披萨": a verb; "来福士": a name).
    func quantityOrItemFollows(_ index: Int) -> Bool {
        guard index < text.count else { return false }
        if case .quantity(_, true, _)? = number(at: index) { return true }
        return itemFollows(index)
    }

    /// Whether the last item emitted came right after a quantity ("两碗牛肉面"): a quantity after it is not its own.
    var itemHasQuantityBefore: Bool {
        guard case .item? = tokens.last else { return false }
        return tokens.dropLast().last { $0 != .space }.map { if case .quantity = $0 { true } else { false } } ?? false
    }

    /// Whether the last token emitted is an item that ends right at `index` (no space between).
    func item(endingAt index: Int) -> Bool {
        guard case .item(_, let typed)? = tokens.last else { return false }
        let scalars = typed.unicodeScalars
        return index >= scalars.count && text[(index - scalars.count)..<index].elementsEqual(scalars)
    }

    /// The end of the English words (and the spaces between them) from `index`.
    func latinRunEnd(from index: Int) -> Int? {
        var end = index
        while end < text.count,
            Lex.isLatin(text[end]) || (text[end] == " " && end + 1 < text.count && Lex.isLatin(text[end + 1]))
        { end += 1 }
        return end > index ? end : nil
    }

    /// Whether an item comes at `index`, maybe after a quantity ("加一个茶叶蛋", "remove the 2 teas").
    func itemFollows(_ index: Int) -> Bool {
        guard index < text.count else { return false }
        if item(at: index) != nil { return true }
        if case .quantity(_, _, let length)? = number(at: index) {
            return item(at: skipSpaces(from: index + length)) != nil
        }
        if let length = Lex.measures.match(text, at: index) { return item(at: index + length) != nil }
        return false
    }

    // MARK: - Notes and addresses

    /// A note from `index` to the end of its piece: punctuation, a space before Chinese, or a joiner or quantity that
    /// starts the next item ends it. Politeness at its end is dropped ("no cilantro please" → "no cilantro").
    private mutating func note(from start: Int) -> Int {
        let end = noteEnd(from: start)
        var body = text[start..<end]
        trimming: while true {
            while let last = body.last, last == " " { body.removeLast() }
            for tail in Lex.noteTail.words where body.count > tail.count && body.suffix(tail.count).elementsEqual(tail)
            {
                let before = body[body.endIndex - tail.count - 1]
                guard !Lex.isLatin(tail[0]) || before == " " else { continue }
                body.removeLast(tail.count)
                continue trimming
            }
            break
        }
        emit(.note(Self.string(body)))
        return end
    }

    /// Where a note starting at `start` ends.
    func noteEnd(from start: Int) -> Int {
        var end = start + 1
        while end < text.count {
            let scalar = text[end]
            if Lex.isBoundary(scalar) { break }
            if scalar == " " {
                let next = skipSpaces(from: end)
                if next >= text.count || !Lex.isLatin(text[next]) { break }
                // "no spicy beef noodles": an English note ends where an item's name begins.
                if item(at: next) != nil { break }
            }
            if let length = Lex.joiners.match(text, at: end) ?? Lex.add.match(text, at: end),
                itemFollows(skipSpaces(from: end + length))
            {
                break
            }
            if Lex.again.match(text, at: end) != nil || Lex.oneMore.match(text, at: end) != nil { break }
            if case .quantity? = number(at: end), itemFollows(end) { break }
            if Lex.addressPrefixes.match(text, at: end) != nil { break }
            end += 1
        }
        return end
    }

    /// Whether a catalog name occurs in `range`.
    func containsItem(_ range: Range<Int>) -> Bool { range.contains { item(at: $0) != nil } }

    /// Whether the note starting at `start` is about food or packing (else "加可乐" is an unknown item, not a note).
    func isKitchenNote(from start: Int) -> Bool {
        let end = noteEnd(from: start)
        return (start..<end).contains { Lex.kitchenWords.match(text, at: $0) != nil }
    }

    /// The address after "送到" / "deliver to": the rest of the message, without fillers at its ends.
    private func addressAfter(_ start: Int) -> String? {
        var from = skipSpaces(from: start)
        while from < text.count, text[from] == ":" || text[from] == "：" || text[from] == " " || text[from] == "是" {
            from += 1
        }
        var end = text.count
        while end > from, Lex.isBoundary(text[end - 1]) || text[end - 1] == " " { end -= 1 }
        for tail in Lex.noteTail.words
        where end - from > tail.count && text[(end - tail.count)..<end].elementsEqual(tail) {
            end -= tail.count
            while end > from, Lex.isBoundary(text[end - 1]) || text[end - 1] == " " { end -= 1 }
            break
        }
        // "送到公司" names a place (short: the flow still asks for the whole address); "地址错了" does not.
        guard end - from >= 3 || (end - from == 2 && Lex.addressWords.match(text, at: from) != nil) else { return nil }
        return Self.string(text[from..<end])
    }

    func skipSpaces(from index: Int) -> Int {
        var index = index
        while index < text.count, text[index] == " " { index += 1 }
        return index
    }

    /// Past spaces, fillers and articles ("remove the tea", "去掉那个奶茶").
    func skipFillers(from index: Int) -> Int {
        var index = skipSpaces(from: index)
        while index < text.count, item(at: index) == nil, let length = Lex.fillers.match(text, at: index) {
            index = skipSpaces(from: index + length)
        }
        return index
    }

    /// Whether only fillers, spaces and punctuation remain from `index` ("奶茶不要了，谢谢").
    func onlyFillersFrom(_ index: Int) -> Bool {
        var index = index
        while index < text.count {
            if text[index] == " " || Lex.isBoundary(text[index]) { index += 1; continue }
            guard let length = Lex.fillers.match(text, at: index) else { return false }
            index += length
        }
        return true
    }
}
