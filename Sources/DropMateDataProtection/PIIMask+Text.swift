extension PIIMask {
    /// `text` with every mainland mobile number in it (11 digits, 13x–19x, alone or after `86`/`+86`, not part of a
    /// longer number) masked as `138****8000`; `text` itself (no copy) when there is none. For anything free-form that
    /// goes to a log: the last line of defence, whatever code forgot to mask.
    public static func phones(in text: String) -> String {
        var masks: [Int] = []  // offsets of the first of four digits to hide
        var runStart = -1, index = 0
        var bytes = text.utf8.makeIterator()
        var window: (UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0)  // the run's first five bytes
        func close(_ end: Int) {
            let length = end - runStart
            if length == 11, window.0 == UInt8(ascii: "1"), (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(window.1) {
                masks.append(runStart + 3)
            } else if length == 13, window.0 == UInt8(ascii: "8"), window.1 == UInt8(ascii: "6"),
                window.2 == UInt8(ascii: "1"),
                (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(window.3)
            {
                masks.append(runStart + 5)
            }
        }
        while let byte = bytes.next() {
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                if runStart < 0 { runStart = index }
                switch index - runStart {
                case 0: window.0 = byte
                case 1: window.1 = byte
                case 2: window.2 = byte
                case 3: window.3 = byte
                case 4: window.4 = byte
                default: break
                }
            } else if runStart >= 0 {
                close(index)
                runStart = -1
            }
            index += 1
        }
        if runStart >= 0 { close(index) }
        guard !masks.isEmpty else { return text }
        var copy = Array(text.utf8)
        for start in masks {
            for offset in start..<(start + 4) { copy[offset] = UInt8(ascii: "*") }
        }
        return String(decoding: copy, as: UTF8.self)
    }
}

extension PIIMask {
    /// `text` with every phone number masked: mainland mobiles as `phones(in:)` does, and any international
    /// number written as E.164 (`+` and 8 to 15 digits, as SMS providers echo a recipient) as `+141****0123`.
    /// For text that comes from outside and is kept or shown: a provider's error stored as a job's reason.
    public static func phoneNumbers(in text: String) -> String {
        let masked = phones(in: text)
        guard masked.utf8.contains(UInt8(ascii: "+")) else { return masked }
        var result = ""
        result.reserveCapacity(masked.utf8.count)
        var scalars = masked.unicodeScalars[...]
        while let plus = scalars.firstIndex(of: "+") {
            result.unicodeScalars.append(contentsOf: scalars[..<plus])
            let digits = scalars[scalars.index(after: plus)...].prefix {
                $0.properties.numericType == .decimal && $0.isASCII
            }
            if (8...15).contains(digits.count) {
                result += "+" + phone(String(String.UnicodeScalarView(digits)))
            } else {
                result.unicodeScalars.append("+")
                result.unicodeScalars.append(contentsOf: digits)
            }
            scalars = scalars[digits.endIndex...]
        }
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }
}
