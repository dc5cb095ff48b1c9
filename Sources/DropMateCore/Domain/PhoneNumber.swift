/// A validated mainland China mobile number (11 digits starting 13–19), stored without separators.
public struct PhoneNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The 11 digits.
    public let digits: String

    /// Accepts "13800138000", "138 0013 8000", "138-0013-8000", "+86 13800138000" and full-width digits.
    public init?(_ text: String) {
        var digits = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x30...0x39: digits.unicodeScalars.append(scalar)
            case 0xFF10...0xFF19: digits.unicodeScalars.append(Unicode.Scalar(scalar.value - 0xFF10 + 0x30)!)
            case 0x20, 0x2D, 0x2B, 0x3000, 0x28, 0x29: continue
            default: return nil
            }
        }
        if digits.count == 13, digits.hasPrefix("86") { digits.removeFirst(2) }
        guard digits.count == 11, digits.first == "1", let second = digits.dropFirst().first, "3456789".contains(second)
        else { return nil }
        self.digits = digits
    }

    /// "138****8000": the only form that appears in logs and replies.
    public var masked: String { "\(digits.prefix(3))****\(digits.suffix(4))" }

    public var description: String { masked }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let phone = PhoneNumber(raw) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a phone number"))
        }
        self = phone
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(digits)
    }
}
