/// Reads "2 份牛肉面和一杯奶茶" or "order 2 beef noodles and 1 tea" into catalog lines.
///
/// A message is an order when it starts with an order verb, or when every part of it names
/// a catalog item. Parts that name nothing are reported back so the customer can fix them.
struct OrderTextParser {
    var catalog: Catalog

    /// The parsed order, or nil when the text is not an order at all.
    func parse(_ normalized: String) -> ParsedOrder? {
        var text = Substring(normalized)
        var hadVerb = false
        for verb in Self.orderVerbs where text.hasPrefix(verb) {
            text = text.dropFirst(verb.count)
            hadVerb = true
            break
        }
        let segments = split(String(text))
        guard !segments.isEmpty else { return hadVerb ? ParsedOrder(lines: [], unknown: []) : nil }
        var lines: [(item: CatalogItem, quantity: Int)] = []
        var unknown: [String] = []
        var unknownWithoutQuantity = false
        var looseMatch = false
        for segment in segments {
            let (quantity, name) = Self.quantityAndName(segment)
            if let (item, exact) = match(name) {
                lines.append((item, quantity ?? 1))
                if !exact && quantity == nil { looseMatch = true }
            } else {
                unknown.append(name.isEmpty ? segment : name)
                if quantity == nil { unknownWithoutQuantity = true }
            }
        }
        // Without a verb, text is an order only when each part is an exact item name or has a quantity
        // ("牛肉面", "2 份牛肉面和 1 份寿司"), so an address or a question ("牛肉面好吃吗") is never taken for one.
        guard hadVerb || (!lines.isEmpty && !unknownWithoutQuantity && !looseMatch) else { return nil }
        return ParsedOrder(lines: lines, unknown: unknown)
    }

    static let orderVerbs = [
        "我想要", "我要", "帮我点", "给我来", "再来", "再要", "来", "点", "要", "订", "买", "加",
        "i would like to order ", "i'd like to order ", "i would like ", "i'd like ", "i want ", "can i have ", "can i get ",
        "order ", "get me ", "add ", "buy ", "i'll have ", "please ",
    ]

    static let separators = ["还有", "以及", "和", "跟", "加上", "，", ",", "、", ";", "；", " and ", " & ", "&", " + ", "+", " with "]

    static let separatorBytes = separators.map { Array($0.utf8) }

    /// The parts between separators, in one pass over the UTF-8 bytes (a separator never starts inside a
    /// character: its first byte is ASCII or a lead byte).
    func split(_ text: String) -> [String] {
        var text = text
        let parts: [String] = text.withUTF8 { bytes in
            func part(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
            var parts: [String] = []
            var current = 0, partStart = 0
            while current < bytes.count {
                let at = current
                if let separator = Self.separatorBytes.first(where: { separator in
                    at + separator.count <= bytes.count && separator.indices.allSatisfy { bytes[at + $0] == separator[$0] }
                }) {
                    parts.append(part(partStart..<current))
                    current += separator.count
                    partStart = current
                } else {
                    current += 1
                }
            }
            parts.append(part(partStart..<bytes.count))
            return parts
        }
        return parts.map { $0.trimmingSpaces() }.filter { !$0.isEmpty && $0 != "please" && $0 != "谢谢" }
    }

    /// The catalog item `name` means (exact name or alias first, then the longest name contained in it), and whether it was exact.
    func match(_ name: String) -> (CatalogItem, exact: Bool)? {
        guard !name.isEmpty else { return nil }
        let candidates = [name, Self.singular(name)]
        for candidate in candidates {
            if let index = catalog.matchNames.firstIndex(where: { $0.contains(candidate) }) { return (catalog.items[index], true) }
        }
        var best: (item: CatalogItem, length: Int)?
        for (index, names) in catalog.matchNames.enumerated() {
            for itemName in names where itemName.count >= 2 && TextNormalizer.contains(name, itemName) {
                if itemName.count > best?.length ?? 0 { best = (catalog.items[index], itemName.count) }
            }
        }
        return best.map { ($0.item, false) }
    }

    static func singular(_ word: String) -> String {
        if word.hasSuffix("ies") { return String(word.dropLast(3)) + "y" }
        if word.hasSuffix("es"), word.dropLast(2).hasSuffix("ch") || word.dropLast(2).hasSuffix("sh") { return String(word.dropLast(2)) }
        if word.hasSuffix("s"), !word.hasSuffix("ss") { return String(word.dropLast()) }
        return word
    }

    /// "2 份牛肉面" → (2, "牛肉面"); "beef noodles x3" → (3, "beef noodles"); "奶茶" → (nil, "奶茶").
    static func quantityAndName(_ segment: String) -> (Int?, String) {
        var text = Substring(segment)
        var quantity: Int?
        if let (value, rest) = leadingNumber(text) {
            quantity = value
            text = rest.drop { $0 == " " }
            text = dropMeasureWord(text)
        } else if let (value, rest) = trailingNumber(text) {
            quantity = value
            text = rest
        }
        return (quantity, String(text).trimmingSpaces())
    }

    static let measureWords = ["份", "个", "碗", "杯", "瓶", "盒", "只", "块", "笼", "盘", "x ", "x", "×", "*", "pcs ", "portions of ", "portion of ", "bowls of ", "bowl of ", "cups of ", "cup of ", "servings of ", "serving of "]

    static func dropMeasureWord(_ text: Substring) -> Substring {
        for word in measureWords where text.hasPrefix(word) {
            return text.dropFirst(word.count).drop { $0 == " " }
        }
        return text
    }

    static let englishNumbers: [String: Int] = [
        "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
        "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "zero": 0,
    ]

    static let chineseDigits: [Character: Int] = [
        "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    ]

    static func leadingNumber(_ text: Substring) -> (Int, Substring)? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty {
            return (Int(digits.prefix(6)) ?? Int.max, text.dropFirst(digits.count))
        }
        if let space = text.firstIndex(of: " "), let value = englishNumbers[String(text[..<space])] {
            return (value, text[text.index(after: space)...])
        }
        return chineseNumber(text)
    }

    /// "一", "两", "十", "十二", "二十", "三十五" at the start of `text`, only when a measure word follows.
    static func chineseNumber(_ text: Substring) -> (Int, Substring)? {
        var value = 0, current = 0, consumed = 0
        for character in text {
            if let digit = chineseDigits[character] {
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
        guard consumed > 0 else { return nil }
        let rest = text.dropFirst(consumed)
        guard measureWords.contains(where: { rest.hasPrefix($0) }) else { return nil }
        return (value + current, rest)
    }

    /// "牛肉面 2份", "beef noodles x2", "奶茶两杯".
    static func trailingNumber(_ text: Substring) -> (Int, Substring)? {
        var body = text
        for word in ["份", "个", "碗", "杯", "瓶", "盒", "只", "块"] where body.hasSuffix(word) {
            body = body.dropLast(word.count)
            break
        }
        let digits = body.reversed().prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty {
            var name = body.dropLast(digits.count)
            while let last = name.last, last == " " || last == "x" || last == "×" || last == "*" { name = name.dropLast() }
            guard !name.isEmpty, name.count < body.count - digits.count || body.count != text.count || text.last!.isNumber else { return nil }
            return (Int(String(digits.reversed()).prefix(6)) ?? Int.max, name)
        }
        guard body.count != text.count else { return nil }
        let tail = body.reversed().prefix { chineseDigits[$0] != nil || $0 == "十" }
        guard !tail.isEmpty, let (value, _) = chineseNumber(Substring(String(tail.reversed()) + "份")) else { return nil }
        return (value, body.dropLast(tail.count))
    }
}

extension String {
    func trimmingSpaces() -> String {
        var result = Substring(self).drop { $0 == " " }
        while result.last == " " { result.removeLast() }
        return String(result)
    }
}
