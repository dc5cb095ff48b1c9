/// Masks personal data for logs, API responses and screens whose readers need to recognise it, not read it.
/// Masks have a fixed width, so they do not reveal how long the hidden part was.
public enum PIIMask {
    static let mask = "****"

    /// `13812348000` → `138****8000`. Spaces, dashes and a `+86` prefix are dropped first;
    /// numbers too short to keep 7 digits keep only their last 2.
    public static func phone(_ phone: String) -> String {
        var digits = String(phone.filter { $0.isASCII && $0.isNumber })
        if phone.trimmingPrefixWhitespace.hasPrefix("+86"), digits.hasPrefix("86") { digits.removeFirst(2) }
        if digits.count >= 11 { return redact(digits, keepingFirst: 3, last: 4) }
        return redact(digits, keepingFirst: 0, last: 2)
    }

    /// A Chinese address cut after its district (`区`, `县` or `旗`), or its city when it names none:
    /// `广东省深圳市南山区科技园南区1号` → `广东省深圳市南山区****`. Anything else keeps only its first 3 characters.
    public static func address(_ address: String) -> String {
        let characters = Array(address.trimmingPrefixWhitespace)
        for markers in [["区", "县", "旗"], ["市"], ["州", "盟"]] {
            for index in characters.indices where markers.contains(String(characters[index])) {
                // 自治区 names a province (广西壮族自治区), not a district.
                if characters[index] == "区", index >= 2, String(characters[(index - 2)..<index]) == "自治" { continue }
                if index + 1 == characters.count { return String(characters) }
                return String(characters[...index]) + mask
            }
        }
        return redact(String(characters), keepingFirst: 3, last: 0)
    }

    /// `value` with all but its first `keepingFirst` and last `last` characters replaced by `****`;
    /// wholly `****` when fewer than 4 characters would be hidden.
    public static func redact(_ value: String, keepingFirst first: Int = 0, last: Int = 0) -> String {
        let characters = Array(value)
        let kept = max(0, first) + max(0, last)
        guard kept > 0, characters.count - kept >= 4 else { return mask }
        return String(characters.prefix(first)) + mask + String(characters.suffix(last))
    }
}

private extension String {
    var trimmingPrefixWhitespace: Substring { drop(while: \.isWhitespace) }
}
