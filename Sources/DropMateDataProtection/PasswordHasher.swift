import Crypto
import CryptoExtras

/// Hashes staff passwords with scrypt (RFC 7914) into a self-describing string:
/// `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (salt and hash in base64 without padding).
///
/// The parameters travel with each hash, so raising them later still verifies old hashes, and
/// ``needsRehash(_:)`` tells the login path when to store a stronger one.
public struct PasswordHasher: Sendable {
    /// log2 of scrypt's cost N; 15 means N = 32768 (32 MiB with r = 8).
    public let logN: Int
    /// Block size.
    public let r: Int
    /// Parallelism.
    public let p: Int
    static let saltBytes = 16
    static let hashBytes = 32
    /// Longest password accepted, in UTF-8 bytes: enough for any passphrase, short of a denial of service.
    public static let maxPasswordBytes = 1024

    /// OWASP's recommended minimum: N = 2^15, r = 8, p = 1.
    public static let standard = PasswordHasher(logN: 15, r: 8, p: 1)

    public init(logN: Int, r: Int, p: Int) {
        self.logN = logN
        self.r = r
        self.p = p
    }

    /// A new hash of `password` with a fresh random salt.
    public func hash(_ password: String) throws(PasswordHashError) -> String {
        let salt = SymmetricKey(size: .init(bitCount: Self.saltBytes * 8)).withUnsafeBytes { Array($0) }
        let hash = try Self.derive(password, salt: salt, logN: logN, r: r, p: p)
        return "$scrypt$ln=\(logN),r=\(r),p=\(p)$\(Self.encode(salt))$\(Self.encode(hash))"
    }

    /// Whether `password` matches `encoded`, compared in constant time. A malformed or tampered hash never matches.
    public func verify(_ password: String, against encoded: String) -> Bool {
        guard let parsed = Parsed(encoded),
            let candidate = try? Self.derive(
                password, salt: parsed.salt, logN: parsed.logN, r: parsed.r, p: parsed.p, length: parsed.hash.count)
        else { return false }
        return Self.constantTimeEqual(candidate, parsed.hash)
    }

    /// Whether `encoded` was made with other parameters than this hasher's (or cannot be read), so the
    /// password should be hashed again after the next successful login.
    public func needsRehash(_ encoded: String) -> Bool {
        guard let parsed = Parsed(encoded) else { return true }
        return parsed.logN != logN || parsed.r != r || parsed.p != p
            || parsed.salt.count != Self.saltBytes || parsed.hash.count != Self.hashBytes
    }

    private static func derive(
        _ password: String, salt: [UInt8], logN: Int, r: Int, p: Int, length: Int = hashBytes
    ) throws(PasswordHashError) -> [UInt8] {
        let bytes = Array(password.utf8)
        // BoringSSL's scrypt needs a non-empty buffer; an empty password is refused anyway.
        guard !bytes.isEmpty else { throw .emptyPassword }
        guard bytes.count <= maxPasswordBytes else { throw .passwordTooLong }
        guard Parsed.acceptable(logN: logN, r: r, p: p) else { throw .unsupportedParameters }
        do {
            let key = try KDF.Scrypt.deriveKey(
                from: bytes, salt: salt, outputByteCount: length, rounds: 1 << logN, blockSize: r, parallelism: p)
            return key.withUnsafeBytes { Array($0) }
        } catch {
            throw .unsupportedParameters
        }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    static func encode(_ bytes: [UInt8]) -> String {
        Base64URL.standardUnpadded(bytes)
    }

    /// A stored hash taken apart; `nil` when it is not one of ours or its parameters are out of bounds.
    struct Parsed {
        var logN: Int, r: Int, p: Int
        var salt: [UInt8], hash: [UInt8]

        init?(_ encoded: String) {
            let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
            guard fields.count == 5, fields[0].isEmpty, fields[1] == "scrypt" else { return nil }
            var parameters: [Substring: Int] = [:]
            for pair in fields[2].split(separator: ",") {
                let parts = pair.split(separator: "=")
                guard parts.count == 2, let number = Int(parts[1]),
                    parameters.updateValue(number, forKey: parts[0]) == nil
                else { return nil }
            }
            guard parameters.count == 3, let logN = parameters["ln"], let r = parameters["r"], let p = parameters["p"],
                Self.acceptable(logN: logN, r: r, p: p),
                let salt = Base64URL.decodeStandardUnpadded(String(fields[3])), salt.count >= 8,
                let hash = Base64URL.decodeStandardUnpadded(String(fields[4])), (16...64).contains(hash.count)
            else { return nil }
            (self.logN, self.r, self.p, self.salt, self.hash) = (logN, r, p, salt, hash)
        }

        static let maxMemoryBytes = 256 * 1024 * 1024

        /// Bounds a stored string cannot exceed, so a planted hash cannot make a login burn gigabytes.
        static func acceptable(logN: Int, r: Int, p: Int) -> Bool {
            (10...20).contains(logN) && (1...32).contains(r) && (1...16).contains(p)
                && 128 * r * (1 << logN) <= maxMemoryBytes && r * p <= 64
        }
    }
}

/// Why a password could not be hashed.
public enum PasswordHashError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyPassword
    case passwordTooLong
    case unsupportedParameters

    public var description: String {
        switch self {
        case .emptyPassword: "password is empty"
        case .passwordTooLong: "password is longer than \(PasswordHasher.maxPasswordBytes) bytes"
        case .unsupportedParameters: "scrypt parameters are out of the supported range"
        }
    }
}
