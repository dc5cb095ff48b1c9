/// How a WeChat user becomes a courier (or a staff member's WeChat for notices): a one-time binding code staff
/// issue, sent as "绑定 CODE". Courier and staff codes share one alphabet, one lifetime and the same counters.
///
/// A code is guessed across WeChat users, not by one: so besides being long and short-lived, every code counts
/// the failed attempts made anywhere while it is outstanding and dies after a few, and each WeChat user is
/// locked out after a few failures of their own. Both counters live in the database, shared by every replica.
public struct BindingCodePolicy: Sendable, Hashable {
    /// What DropMate runs with.
    public static let standard = BindingCodePolicy()

    /// Letters and digits nobody misreads: no 0/O, 1/I/L.
    public static let alphabet: [Character] = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")

    /// Characters in a code: 31^8 ≈ 8.5 × 10^11 codes.
    public var length: Int
    /// Seconds a code stays valid.
    public var validFor: Int64
    /// Failed attempts (from anyone) a code outlives; past them every outstanding code stops working.
    public var maxFailuresPerCode: Int
    /// Failed attempts one WeChat user may make in `userWindow` seconds before being locked out for the rest of it.
    public var maxFailuresPerUser: Int
    public var userWindow: Int64

    public init(
        length: Int = 8, validFor: Int64 = 30 * 60, maxFailuresPerCode: Int = 10, maxFailuresPerUser: Int = 5,
        userWindow: Int64 = 3_600
    ) {
        self.length = length
        self.validFor = validFor
        self.maxFailuresPerCode = maxFailuresPerCode
        self.maxFailuresPerUser = maxFailuresPerUser
        self.userWindow = userWindow
    }

    /// A fresh random code.
    public func randomCode() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in Self.alphabet.randomElement(using: &generator)! })
    }

    /// What a courier typed after "绑定", as codes are stored (upper case, without the spaces or dashes a person
    /// may type in the middle); nil when it cannot be a code attempt. Any short run of letters and digits counts as
    /// an attempt, so old six-digit guesses are counted too.
    public static func attempt(_ text: Substring) -> String? {
        let code = text.filter { $0 != " " && $0 != "-" }.uppercased()
        if code.count != text.count {
            // Split up ("K7M2 Q9PX"): only in the shape of a real code, so "bind my account" is no attempt.
            return code.count == standard.length && code.allSatisfy(alphabet.contains) ? code : nil
        }
        guard (4...16).contains(code.count), code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            return nil
        }
        return code
    }
}

/// What became of one "绑定 CODE" attempt.
public enum BindingAttempt: Sendable, Hashable {
    /// A live code: the chat becomes this courier's.
    case matched(Courier)
    /// A live staff code (issued from the console or `dropmate staff bind-code`): this WeChat user gets staff
    /// notices as staff member `id`; the chat stays an ordinary one.
    case staff(id: Int64, username: String)
    /// Wrong, expired, already used, or dead after too many failed attempts.
    case refused
    /// This WeChat user failed too often lately; the code was not looked at.
    case lockedOut
}
