/// Reads a whole message ("嗯那个我想要呃两碗牛肉面吧，不要香菜，谢谢", "2份牛肉面 1杯奶茶 奶茶去冰",
/// "I want 2 beef noodles, no cilantro please", "1份牛肉面 送到南京西路1266号 电话13800138000") into an order, edits,
/// or an address and a phone.
///
/// A message is an order when it names an item with a quantity, starts with an order verb, or names nothing but items;
/// questions ("牛肉面多少钱") and text that only mentions an item inside other words ("上海牛肉面馆门口") are not.
struct OrderTextParser {
    var catalog: Catalog

    /// The intent the message carries about ordering, or nil when it says nothing about it.
    func parse(_ normalized: String) -> Intent? {
        var scalars = Array(normalized.unicodeScalars)
        let phone = Self.extractPhone(&scalars)
        var scanner = OrderScanner(scalars, names: catalog.itemNames, itemStarters: catalog.itemStarters)
        scanner.scan()
        var reading = Assembly(tokens: scanner.tokens, catalog: catalog)
        reading.run()
        return decide(reading, scanner: scanner, scalars: scalars, phone: phone)
    }

    private func decide(
        _ reading: Assembly, scanner: OrderScanner, scalars: [Unicode.Scalar], phone: PhoneNumber?
    ) -> Intent? {
        typealias Lex = OrderLexicon
        var order = reading.order
        order.phone = phone
        var addressPieces = reading.addressPieces
        if let address = scanner.address { addressPieces.append(address) }
        let hasItems = !order.lines.isEmpty || !order.suggestions.isEmpty
        // "来两碗牛肉面多少钱", "我点的牛肉面呢": a question or an order already placed, whatever else it names.
        if Lex.occurs(Lex.pastOrder, in: scalars) || Lex.occurs(Lex.strongQuestionMarks, in: scalars) { return nil }
        let asks = Lex.occurs(Lex.questionMarks, in: scalars)
        let aboutService = Lex.occurs(Lex.serviceWords, in: scalars)

        if !hasItems && order.edits.isEmpty {
            // An address and a phone ("南京西路1266号 恒隆广场 13800138000"), or one of them introduced by its label.
            let rest = (addressPieces + order.unknown).joined(separator: " ")
            if let phone {
                if asks || aboutService { return nil }
                return .contact(address: Assembly.readsAsAddress(rest) ? rest : nil, phone: phone)
            }
            if let address = scanner.address, !asks, order.unknown.isEmpty, order.note == nil {
                return .contact(address: address, phone: nil)
            }
            if asks || aboutService || !addressPieces.isEmpty { return nil }
            if let note = order.note, order.unknown.isEmpty, !Assembly.readsAsAddress(note),
                Lex.occurs(Lex.kitchenWords, in: Array(note.unicodeScalars))
            {
                return .edit([.note(note, item: nil)])
            }
            guard reading.verbAtStart else { return nil }
            if !order.unknown.isEmpty, order.unknown.allSatisfy(Lex.wantsToOrder.contains) { return .menu }
            // "我要" alone asks what to order; "order pizza" says what is not on the menu.
            if reading.sawEditWord { return nil }
            return .order(order)
        }
        if asks && !reading.verbAtStart { return nil }
        if aboutService && !reading.hasQuantity { return nil }  // "我要投诉牛肉面"
        if !hasItems {
            order.unknown += addressPieces
            guard order.unknown.isEmpty else { return .order(order) }
            return .edit(order.edits + (order.note.map { [.note($0, item: nil)] } ?? []))
        }
        if !reading.verbAtStart && !reading.hasMeasuredQuantity && reading.embeddedItem { return nil }
        if !addressPieces.isEmpty { order.address = addressPieces.joined(separator: " ") }
        return .order(order)
    }

    /// Takes an 11-digit mobile number (and its label, "电话", "phone") out of the message.
    static func extractPhone(_ text: inout [Unicode.Scalar]) -> PhoneNumber? {
        var index = 0
        while index < text.count {
            guard OrderLexicon.isDigit(text[index]), index == 0 || !OrderLexicon.isDigit(text[index - 1]) else {
                index += 1; continue
            }
            var end = index
            while end < text.count,
                OrderLexicon.isDigit(text[end])
                    || ((text[end] == " " || text[end] == "-") && end + 1 < text.count
                        && OrderLexicon.isDigit(text[end + 1]) && end > index)
            {
                end += 1
            }
            var candidates = [end]
            var tight = index
            while tight < end, OrderLexicon.isDigit(text[tight]) { tight += 1 }
            if tight != end { candidates.append(tight) }
            for candidateEnd in candidates {
                var start = index
                if start > 0, text[start - 1] == "+" { start -= 1 }
                guard let phone = PhoneNumber(OrderScanner.string(text[start..<candidateEnd])) else { continue }
                start = labelStart(before: start, in: text)
                text.replaceSubrange(start..<candidateEnd, with: [" "])
                return phone
            }
            index = end + 1
        }
        return nil
    }

    /// Where a phone label ("电话：", "phone") before `index` starts, or `index` when there is none.
    private static func labelStart(before index: Int, in text: [Unicode.Scalar]) -> Int {
        var start = index
        while start > 0,
            text[start - 1] == " " || text[start - 1] == ":" || text[start - 1] == "：" || text[start - 1] == "是"
        { start -= 1 }
        for word in OrderLexicon.phoneLabels.words
        where start >= word.count && text[(start - word.count)..<start].elementsEqual(word) {
            return start - word.count
        }
        return index
    }
}
