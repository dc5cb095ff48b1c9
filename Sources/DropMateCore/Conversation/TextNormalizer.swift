/// Folds the ways people type the same thing: case, full-width forms, runs of spaces.
enum TextNormalizer {
    /// Lower-cased, full-width ASCII folded to half-width, ideographic spaces to spaces, whitespace collapsed and trimmed.
    static func normalize(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var lastWasSpace = true
        for scalar in text.unicodeScalars {
            var value = scalar.value
            if (0xFF01...0xFF5E).contains(value) { value -= 0xFEE0 }  // full-width ASCII
            if value == 0x3000 || value == 0x09 || value == 0x0A || value == 0x0D { value = 0x20 }
            if (0x41...0x5A).contains(value) { value += 0x20 }
            if value == 0x20 {
                if lastWasSpace { continue }
                lastWasSpace = true
            } else {
                lastWasSpace = false
            }
            scalars.append(Unicode.Scalar(value)!)
        }
        var result = String(scalars)
        while result.last == " " { result.removeLast() }
        return result
    }

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
