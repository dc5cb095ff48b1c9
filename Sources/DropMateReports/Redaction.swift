import Foundation

/// Masks a mainland mobile number to its first three and last four digits:
/// `13812348000` → `138****8000`. Separators and a `+86`/`86` prefix are ignored;
/// anything too short to mask safely becomes `****`.
public func maskPhone(_ phone: String) -> String {
    var digits = phone.filter(\.isASCIIDigit)
    if digits.count == 13, digits.hasPrefix("86") { digits.removeFirst(2) }
    guard digits.count >= 7 else { return digits.isEmpty ? "" : "****" }
    let head = digits.prefix(3)
    let tail = digits.suffix(4)
    return "\(head)\(String(repeating: "*", count: digits.count - 7))\(tail)"
}

/// Cuts an address down to district level so the report never holds a street or door number.
///
/// Chinese addresses keep everything up to and including the first `区`, `县` or `市辖区`
/// (`上海市浦东新区张江路88号` → `上海市浦东新区`). An address with none of these keeps text up to the first `市`.
/// Other addresses keep their first two comma-separated parts
/// (`12 Main St, Haidian, Beijing` → `12 Main St, Haidian`). Blank stays blank, and a Chinese
/// address with no district or city marker becomes blank rather than leak the street.
public func districtLevel(_ address: String) -> String {
    let trimmed = address.trimmingCharacters(in: .whitespacesAndNewlines)
    if trimmed.unicodeScalars.contains(where: { (0x4E00...0x9FFF).contains($0.value) }) {
        if let end = trimmed.firstIndex(where: { $0 == "区" || $0 == "县" }) ?? trimmed.firstIndex(of: "市") {
            return String(trimmed[...end])
        }
        return ""
    }
    let separators: Set<Character> = [",", "，"]
    let parts = trimmed.split(omittingEmptySubsequences: true, whereSeparator: { separators.contains($0) })
    return parts.prefix(2).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
