/// Quantities as customers write them: "2", "2份", "2 bowls of", "2x", "两碗", "十二份", "two", "x2".
extension OrderScanner {
    /// What any longer number reads as: far past any shop's limit (the flow refuses it), and safe to add to.
    static let largest = 999_999

    enum NumberRead {
        case quantity(Int, measured: Bool, length: Int)
        /// Digits that are a house number, a floor, a time or a price: part of the text.
        case notQuantity(length: Int)
    }

    /// "2", "2份", "2 bowls of", "2x", "两碗", "十二份", "two" at `index`.
    func number(at index: Int) -> NumberRead? {
        guard index < text.count else { return nil }
        if Lex.isDigit(text[index]) {
            var end = index
            var value = 0
            while end < text.count, Lex.isDigit(text[end]) {
                if end - index < 6 { value = value * 10 + Int(text[end].value - 0x30) }
                end += 1
            }
            if end - index > 6 { value = Self.largest }
            if end < text.count, text[end] == "x" || text[end] == "×",
                end + 1 >= text.count || !Lex.isLatin(text[end + 1])
            {
                return .quantity(value, measured: true, length: end + 1 - index)
            }
            if Lex.notQuantityAfter.match(text, at: end) != nil
                || (end < text.count && (text[end] == "." || text[end] == ":") && end + 1 < text.count
                    && Lex.isDigit(text[end + 1]))
            {
                return .notQuantity(length: end - index)
            }
            let next = skipSpaces(from: end)
            if let length = Lex.measures.match(text, at: next) ?? Lex.englishMeasures.match(text, at: next) {
                return .quantity(value, measured: true, length: next + length - index)
            }
            return .quantity(value, measured: false, length: end - index)
        }
        if let (value, length) = chineseNumber(at: index) {
            let end = index + length
            // "两三碗", "一两个": a guess, not a quantity; said back as it is.
            if length >= 2,
                (index..<end - 1).contains(where: {
                    Lex.chineseDigits[text[$0]] != nil && Lex.chineseDigits[text[$0 + 1]] != nil
                })
            {
                return .notQuantity(length: length + (Lex.measures.match(text, at: end) ?? 0))
            }
            if let measure = Lex.measures.match(text, at: end) {
                return .quantity(value, measured: true, length: length + measure)
            }
            if item(at: end) != nil { return .quantity(value, measured: false, length: length) }
            // "再来俩", "再来两": after "again" a bare number is how many more.
            if tokens.last(where: { $0 != .space }) == .again,
                end == text.count || Lex.isBoundary(text[end]) || Lex.fillers.match(text, at: end) != nil
            {
                return .quantity(value, measured: true, length: length)
            }
            return nil
        }
        if let length = Lex.englishNumberWords.match(text, at: index),
            index + length == text.count || text[index + length] == " " || Lex.isBoundary(text[index + length])
        {
            let word = Self.string(text[index..<index + length])
            guard let value = Lex.englishNumbers[word] else { return nil }
            let next = skipSpaces(from: index + length)
            // "make it two": a number word at the end (but not "a").
            guard next < text.count else {
                return value > 1 || word == "one" ? .quantity(value, measured: false, length: length) : nil
            }
            if let measure = Lex.englishMeasures.match(text, at: next) {
                return .quantity(value, measured: true, length: next + measure - index)
            }
            guard Lex.isLatin(text[next]) || Lex.isCJK(text[next]) else { return nil }
            return .quantity(value, measured: false, length: next - index)
        }
        return nil
    }

    /// "一", "两", "十", "十二", "二十", "三十五" at `index`.
    func chineseNumber(at index: Int) -> (Int, Int)? {
        var value = 0, current = 0, consumed = 0
        while index + consumed < text.count {
            let character = text[index + consumed]
            if let digit = Lex.chineseDigits[character] {
                current = digit
            } else if character == "十" {
                value += (current == 0 ? 1 : current) * 10
                current = 0
            } else if character == "百" {
                value += (current == 0 ? 1 : current) * 100
                current = 0
            } else {
                break
            }
            consumed += 1
        }
        return consumed > 0 ? (min(value + current, Self.largest), consumed) : nil
    }

    /// "x2", "×2", "*2", "x 2" at `index`.
    func times(at index: Int) -> (Int, Int)? {
        guard index < text.count else { return nil }
        let mark = text[index]
        guard mark == "x" || mark == "×" || mark == "*" else { return nil }
        if mark == "x", index > 0, Lex.isLatin(text[index - 1]) { return nil }
        let start = skipSpaces(from: index + 1)
        guard start < text.count, Lex.isDigit(text[start]) else { return nil }
        var end = start, value = 0
        while end < text.count, Lex.isDigit(text[end]) {
            if end - start < 6 { value = value * 10 + Int(text[end].value - 0x30) }
            end += 1
        }
        if end - start > 6 { value = Self.largest }
        if let measure = Lex.measures.match(text, at: end) { end += measure }
        return (value, end - index)
    }
}
