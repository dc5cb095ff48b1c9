import CHiredis

/// The RESP wire format through hiredis: commands encoded binary-safely, replies decoded incrementally.
enum RedisWire {
    /// `*N\r\n$len\r\narg\r\n…` for `arguments`.
    static func encode(_ arguments: [[UInt8]]) -> [UInt8] {
        var pointers: [UnsafePointer<CChar>?] = []
        var lengths: [Int] = []
        let buffers = arguments.map { argument -> UnsafeMutablePointer<CChar> in
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(argument.count, 1))
            argument.withUnsafeBufferPointer { bytes in
                if let base = bytes.baseAddress {
                    UnsafeMutableRawPointer(buffer).copyMemory(from: base, byteCount: bytes.count)
                }
            }
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        for (buffer, argument) in zip(buffers, arguments) {
            pointers.append(UnsafePointer(buffer))
            lengths.append(argument.count)
        }
        var target: UnsafeMutablePointer<CChar>?
        let length = pointers.withUnsafeMutableBufferPointer { argv in
            lengths.withUnsafeBufferPointer { argvlen in
                redisFormatCommandArgv(&target, Int32(arguments.count), argv.baseAddress, argvlen.baseAddress)
            }
        }
        guard length > 0, let target else { return [] }
        defer { redisFreeCommand(target) }
        return Array(UnsafeRawBufferPointer(start: target, count: Int(length)))
    }
}

/// An incremental reply parser (hiredis' reader). Not thread-safe: one per connection, used on its event loop.
final class RedisReplyReader {
    private let reader: UnsafeMutablePointer<redisReader>

    init() { reader = redisReaderCreate() }

    deinit { redisReaderFree(reader) }

    func feed(_ bytes: UnsafeRawBufferPointer) throws(RedisError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        guard redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), bytes.count) == REDIS_OK else {
            throw .protocolError(String(cString: dm_reader_error(reader)))
        }
    }

    /// The next complete reply, or nil until more bytes arrive.
    func next() throws(RedisError) -> RedisValue? {
        var reply: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &reply) == REDIS_OK else {
            throw .protocolError(String(cString: dm_reader_error(reader)))
        }
        guard let reply else { return nil }
        defer { freeReplyObject(reply) }
        return Self.value(reply.assumingMemoryBound(to: redisReply.self))
    }

    private static func value(_ reply: UnsafePointer<redisReply>) -> RedisValue {
        let type = dm_reply_type(reply)
        func bytes() -> [UInt8] {
            guard let text = dm_reply_str(reply) else { return [] }
            return Array(UnsafeRawBufferPointer(start: text, count: dm_reply_len(reply)))
        }
        switch type {
        case dm_reply_string(): return .bulk(bytes())
        case dm_reply_status(): return .status(String(decoding: bytes(), as: UTF8.self))
        case dm_reply_error(): return .error(String(decoding: bytes(), as: UTF8.self))
        case dm_reply_integer_type(): return .integer(dm_reply_integer(reply))
        case dm_reply_array(): return .array((0..<dm_reply_elements(reply)).map { value(dm_reply_element(reply, $0)) })
        default: return .null
        }
    }
}
