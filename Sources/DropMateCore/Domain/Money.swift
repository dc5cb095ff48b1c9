/// An amount of money in fen (1/100 yuan). Integer arithmetic only: no rounding surprises.
public struct Money: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The amount in fen.
    public var fen: Int

    /// Creates an amount from fen.
    public init(fen: Int) { self.fen = fen }

    /// Zero yuan.
    public static let zero = Money(fen: 0)

    /// "¥18.00" — the format customers see in both languages.
    public var description: String {
        let sign = fen < 0 ? "-" : ""
        let absolute = abs(fen)
        let cents = absolute % 100
        return "\(sign)¥\(absolute / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    public static func + (lhs: Money, rhs: Money) -> Money { Money(fen: lhs.fen + rhs.fen) }
    public static func * (lhs: Money, rhs: Int) -> Money { Money(fen: lhs.fen * rhs) }
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.fen < rhs.fen }

    public init(from decoder: any Decoder) throws { fen = try decoder.singleValueContainer().decode(Int.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(fen)
    }
}
