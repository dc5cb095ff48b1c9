/// Which of a Redis Cluster's 16,384 hash slots a key lives in: CRC16 (XMODEM: polynomial 0x1021, initial 0) of the
/// key modulo 16,384, where a key holding `{tag}` (the first `{` and the first `}` after it, with something between)
/// is hashed by `tag` alone, so keys sharing a tag share a slot and one script may touch them all.
public enum RedisKeySlot {
    public static let count = 16_384

    public static func of(_ key: some Collection<UInt8>) -> Int {
        Int(crc16(hashed(key)) % UInt16(count))
    }

    public static func of(_ key: String) -> Int { of(Array(key.utf8)) }

    /// The part of `key` that is hashed.
    static func hashed<Bytes: Collection<UInt8>>(_ key: Bytes) -> Bytes.SubSequence {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")) else { return key[...] }
        let afterOpen = key.index(after: open)
        guard let close = key[afterOpen...].firstIndex(of: UInt8(ascii: "}")), close != afterOpen else {
            return key[...]
        }
        return key[afterOpen..<close]
    }

    static func crc16(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes { crc = (crc << 8) ^ table[Int((crc >> 8) ^ UInt16(byte))] }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var value = UInt16(index) << 8
        for _ in 0..<8 { value = value & 0x8000 != 0 ? (value << 1) ^ 0x1021 : value << 1 }
        return value
    }

    /// The slot a command's keys live in, by where the command keeps its first key; nil for a command without keys
    /// (any node may answer it). Covers the commands DropMate sends; any other takes its first argument as its key.
    static func of(command arguments: [[UInt8]]) -> Int? {
        guard let name = arguments.first.map({ String(decoding: $0, as: UTF8.self).uppercased() }) else { return nil }
        switch name {
        case "PING", "ECHO", "INFO", "TIME", "CLIENT", "CLUSTER", "SCRIPT", "CONFIG", "DBSIZE", "ASKING", "READONLY",
            "AUTH", "HELLO",
            "COMMAND", "ROLE", "LASTSAVE", "MEMORY", "SLOWLOG", "LATENCY", "WAIT":
            return nil
        case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO":
            guard arguments.count > 3, let keys = Int(String(decoding: arguments[2], as: UTF8.self)), keys > 0 else {
                return nil
            }
            return of(arguments[3])
        case "XREAD", "XREADGROUP":
            guard
                let streams = arguments.firstIndex(where: {
                    String(decoding: $0, as: UTF8.self).uppercased() == "STREAMS"
                }),
                streams + 1 < arguments.count
            else { return nil }
            return of(arguments[streams + 1])
        case "XGROUP", "XINFO", "OBJECT":
            return arguments.count > 2 ? of(arguments[2]) : nil
        default:
            return arguments.count > 1 ? of(arguments[1]) : nil
        }
    }
}
