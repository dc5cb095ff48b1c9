/// Folds the ways people type the same thing: case, full-width forms, traditional characters, runs of spaces.
enum TextNormalizer {
    /// Lower-cased, full-width ASCII folded to half-width, common traditional characters to simplified (牛肉麵兩碗 →
    /// 牛肉面两碗), ideographic spaces to spaces, whitespace collapsed and trimmed.
    static func normalize(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var lastWasSpace = true
        for scalar in text.unicodeScalars {
            let value = fold(scalar).value
            if value == 0x20 {
                if lastWasSpace { continue }
                lastWasSpace = true
            } else {
                lastWasSpace = false
            }
            scalars.append(Unicode.Scalar(value)!)  // folding maps scalars to scalars
        }
        var result = String(scalars)
        while result.last == " " { result.removeLast() }
        return result
    }

    /// `piece` (a part of `normalize(text)`) as the customer wrote it in `text`: an address keeps its case, width and
    /// characters. Nil when it cannot be found (then the normalized piece is used).
    static func original(of piece: String, in text: String) -> String? {
        let original = Array(text.unicodeScalars)
        let folded = original.map { fold($0) }
        let wanted = Array(piece.unicodeScalars)
        guard !wanted.isEmpty else { return nil }
        for start in folded.indices where folded[start] == wanted[0] {
            var at = start, offset = 0
            while offset < wanted.count, at < folded.count {
                if wanted[offset] == " ", folded[at] == " " {
                    while at < folded.count, folded[at] == " " { at += 1 }
                    offset += 1
                } else if folded[at] == wanted[offset] {
                    at += 1
                    offset += 1
                } else {
                    break
                }
            }
            if offset == wanted.count { return OrderScanner.string(original[start..<at]) }
        }
        return nil
    }

    /// One scalar as `normalize` folds it (without collapsing spaces).
    static func fold(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        var value = scalar.value
        if (0xFF01...0xFF5E).contains(value) { value -= 0xFEE0 }
        if value == 0x3000 || value == 0x09 || value == 0x0A || value == 0x0D { value = 0x20 }
        if (0x41...0x5A).contains(value) { value += 0x20 }
        if value >= 0x4E00, let simplified = simplified[value] { value = simplified }
        return Unicode.Scalar(value) ?? scalar
    }

    /// Traditional → simplified for the characters customers use when ordering, asking and giving addresses. A small
    /// table on purpose: a character missing here only makes a word unknown (said back), never a different word.
    static let simplified: [UInt32: UInt32] = [
        0x4E7E: 0x5E72, 0x4F86: 0x6765, 0x500B: 0x4E2A, 0x5011: 0x4EEC, 0x5099: 0x5907, 0x5152: 0x513F, 0x5169: 0x4E24,
        0x51CD: 0x51BB,
        0x5225: 0x522B, 0x522A: 0x5220, 0x52D9: 0x52A1, 0x5340: 0x533A, 0x555F: 0x542F, 0x55AE: 0x5355, 0x55CE: 0x5417,
        0x5617: 0x5C1D,
        0x56C9: 0x5570, 0x5712: 0x56ED, 0x5834: 0x573A, 0x584A: 0x5757, 0x5BEB: 0x5199, 0x5C0D: 0x5BF9, 0x5C64: 0x5C42,
        0x5E36: 0x5E26,
        0x5E6B: 0x5E2E, 0x5E7E: 0x51E0, 0x5EE3: 0x5E7F, 0x5F8C: 0x540E, 0x5F9E: 0x4ECE, 0x61C9: 0x5E94, 0x63DB: 0x6362,
        0x6642: 0x65F6,
        0x6703: 0x4F1A, 0x6771: 0x4E1C, 0x689D: 0x6761, 0x6A13: 0x697C, 0x6A4B: 0x6865, 0x6A5F: 0x673A, 0x6C23: 0x6C14,
        0x6C92: 0x6CA1,
        0x6E1B: 0x51CF, 0x6E6F: 0x6C64, 0x6E96: 0x51C6, 0x6EF7: 0x5364, 0x6EFF: 0x6EE1, 0x6FC3: 0x6D53, 0x70BA: 0x4E3A,
        0x7121: 0x65E0,
        0x71B1: 0x70ED, 0x71D2: 0x70E7, 0x71D9: 0x70EB, 0x73FE: 0x73B0, 0x767C: 0x53D1, 0x76E4: 0x76D8, 0x78BA: 0x786E,
        0x78BC: 0x7801,
        0x7A2E: 0x79CD, 0x7B46: 0x7B14, 0x7C60: 0x7B3C, 0x7CF0: 0x56E2, 0x7D00: 0x7EAA, 0x7D05: 0x7EA2, 0x7D66: 0x7ED9,
        0x7E3D: 0x603B,
        0x83EF: 0x534E, 0x842C: 0x4E07, 0x8449: 0x53F6, 0x84CB: 0x76D6, 0x8514: 0x535C, 0x8525: 0x8471, 0x8591: 0x59DC,
        0x863F: 0x841D,
        0x865F: 0x53F7, 0x8766: 0x867E, 0x88CF: 0x91CC, 0x88E1: 0x91CC, 0x89BA: 0x89C9, 0x8A02: 0x8BA2, 0x8A08: 0x8BA1,
        0x8A71: 0x8BDD,
        0x8A8D: 0x8BA4, 0x8AAA: 0x8BF4, 0x8ACB: 0x8BF7, 0x8B1D: 0x8C22, 0x8B8A: 0x53D8, 0x8B93: 0x8BA9, 0x8C6C: 0x732A,
        0x8CB7: 0x4E70,
        0x8CBB: 0x8D39, 0x8CE3: 0x5356, 0x8D08: 0x8D60, 0x8F03: 0x8F83, 0x8FA6: 0x529E, 0x9019: 0x8FD9, 0x9031: 0x5468,
        0x904B: 0x8FD0,
        0x9060: 0x8FDC, 0x9084: 0x8FD8, 0x908A: 0x8FB9, 0x91AC: 0x9171, 0x9322: 0x94B1, 0x932F: 0x9519, 0x9418: 0x949F,
        0x9580: 0x95E8,
        0x958B: 0x5F00, 0x9593: 0x95F4, 0x95DC: 0x5173, 0x9678: 0x9646, 0x96BB: 0x53EA, 0x96D9: 0x53CC, 0x96DE: 0x9E21,
        0x96FB: 0x7535,
        0x982D: 0x5934, 0x9846: 0x9897, 0x98EF: 0x996D, 0x98F2: 0x996E, 0x9903: 0x997A, 0x9905: 0x997C, 0x9928: 0x9986,
        0x9B06: 0x677E,
        0x9B5A: 0x9C7C, 0x9E79: 0x54B8, 0x9EAA: 0x9762, 0x9EB5: 0x9762, 0x9EBC: 0x4E48, 0x9EC3: 0x9EC4, 0x9EDE: 0x70B9,
    ]

    /// Without trailing sentence punctuation ("确认！", "menu.", "到哪了?"); a lone "?" stays (it asks for help).
    /// Scalar by scalar: every mark trimmed is one scalar, and this runs twice for every message.
    static func trimPunctuation(_ text: String) -> String {
        let scalars = text.unicodeScalars
        var end = scalars.endIndex
        while end > scalars.startIndex {
            let before = scalars.index(before: end)
            switch scalars[before] {
            case "!", ".", "。", "！", "~", "～", " ": end = before
            case "?" where before > scalars.startIndex, "？" where before > scalars.startIndex: end = before
            default: return end == scalars.endIndex ? text : String(scalars[..<end])
            }
        }
        return ""
    }

    /// Whether `text` contains `word`, compared as UTF-8 bytes (no grapheme breaking, unlike `String.contains`).
    static func contains(_ text: String, _ word: String) -> Bool {
        var text = text, word = word
        return text.withUTF8 { haystack in
            word.withUTF8 { needle in
                guard !needle.isEmpty else { return true }
                guard haystack.count >= needle.count else { return false }
                let first = needle[0]
                for start in 0...(haystack.count - needle.count) where haystack[start] == first {
                    var offset = 1
                    while offset < needle.count, haystack[start + offset] == needle[offset] { offset += 1 }
                    if offset == needle.count { return true }
                }
                return false
            }
        }
    }

    static func trimLeading(_ text: String, of characters: String) -> String {
        var result = Substring(text).drop { characters.contains($0) }
        while let last = result.last, last == " " { result.removeLast() }
        return String(result)
    }

    /// Whether the text has anything a person could mean: a letter, digit or ideograph (not only emoji or symbols).
    static func hasWords(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var result = Substring(self).drop { $0 == " " }
        while result.last == " " { result.removeLast() }
        return String(result)
    }
}
