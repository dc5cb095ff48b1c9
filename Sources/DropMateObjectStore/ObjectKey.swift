/// The rules every object key follows, whatever the backend, so a key can never escape a directory or a bucket prefix.
public enum ObjectKey {
    /// Longest key accepted (S3 allows 1,024 bytes; ours are short generated paths).
    public static let maxLength = 512

    /// Throws ``ObjectStoreError/invalidKey(reason:)`` unless `key` is a relative path of segments made of
    /// ASCII letters, digits, `-`, `_` and `.`, with no empty, `.` or `..` segment and no leading dot.
    public static func validate(_ key: String) throws(ObjectStoreError) {
        if key.isEmpty { throw .invalidKey(reason: "empty") }
        if key.utf8.count > maxLength { throw .invalidKey(reason: "longer than \(maxLength) bytes") }
        if key.hasPrefix("/") { throw .invalidKey(reason: "absolute path") }
        for byte in key.utf8 where !isAllowed(byte) {
            throw .invalidKey(reason: "only letters, digits, '-', '_', '.' and '/' are allowed")
        }
        for segment in key.split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty { throw .invalidKey(reason: "empty path segment") }
            if segment == "." || segment == ".." { throw .invalidKey(reason: "'.' or '..' segment") }
            // Hidden names are where a store keeps its temporary files.
            if segment.hasPrefix(".") { throw .invalidKey(reason: "segment starting with '.'") }
        }
    }

    /// Whether `validate` would accept `key`.
    public static func isValid(_ key: String) -> Bool {
        (try? validate(key)) != nil
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "/"):
            true
        default:
            false
        }
    }
}
