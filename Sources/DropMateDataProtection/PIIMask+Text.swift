extension PIIMask {
    /// `text` with every mainland mobile number in it (11 digits starting 13–19, not part of a longer number)
    /// masked as `138****8000`: for free text that goes to a log.
    public static func phones(in text: String) -> String {
        let characters = Array(text)
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var index = 0
        while index < characters.count {
            // A number starts after a non-digit, or after the country code 86 ("+8613800138000").
            let afterCountryCode = index >= 2 && characters[index - 2] == "8" && characters[index - 1] == "6" && (index == 2 || !characters[index - 3].isASCIIDigit)
            let startsNumber = index == 0 || !characters[index - 1].isASCIIDigit || afterCountryCode
            if startsNumber, index + 11 <= characters.count, characters[index] == "1", "3456789".contains(characters[index + 1]),
               characters[index..<(index + 11)].allSatisfy(\.isASCIIDigit), index + 11 == characters.count || !characters[index + 11].isASCIIDigit {
                result += phone(String(characters[index..<(index + 11)]))
                index += 11
            } else {
                result.append(characters[index])
                index += 1
            }
        }
        return result
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
