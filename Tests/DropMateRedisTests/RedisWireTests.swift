import Testing

@testable import DropMateRedis

@Suite struct RedisWireTests {
    @Test func commandsAreEncodedBinarySafely() {
        #expect(
            RedisWire.encode([Array("SET".utf8), Array("k".utf8), [0, 13, 10, 255]])
                == Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\n".utf8) + [0, 13, 10, 255] + Array("\r\n".utf8))
        #expect(RedisWire.encode([Array("GET".utf8), []]) == Array("*2\r\n$3\r\nGET\r\n$0\r\n\r\n".utf8))
    }

    @Test func repliesAreDecodedWhenComplete() throws {
        let reader = RedisReplyReader()
        let bytes = Array("*4\r\n+OK\r\n:42\r\n$-1\r\n*2\r\n$3\r\nabc\r\n-ERR no\r\n".utf8)
        var values: [RedisValue] = []
        for byte in bytes {  // one byte at a time: nothing until a reply is whole
            try [byte].withUnsafeBytes { try reader.feed($0) }
            while let value = try reader.next() { values.append(value) }
        }
        #expect(
            values == [
                .array([.status("OK"), .integer(42), .null, .array([.bulk(Array("abc".utf8)), .error("ERR no")])])
            ])
    }

    @Test func garbageIsAProtocolError() {
        let reader = RedisReplyReader()
        #expect(throws: RedisError.self) {
            try Array("?what\r\n".utf8).withUnsafeBytes { try reader.feed($0) }
            _ = try reader.next()
        }
    }

    @Test func urlsGiveHostPortDatabaseAndTLS() throws {
        let plain = try RedisConfiguration(url: "redis://127.0.0.1:6391/3")
        #expect(
            plain.host == "127.0.0.1" && plain.port == 6391 && plain.database == 3 && !plain.tls
                && plain.password == nil)
        let managed = try RedisConfiguration(url: "rediss://default:s3cr%40t@redis.example.com:25061")
        #expect(
            managed.tls && managed.username == "default" && managed.password == "s3cr@t" && managed.port == 25061
                && managed.database == 0)
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "http://x") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://host/notanumber") }
        let error = RedisError.invalidURL("x")
        #expect(!"\(error)".contains("s3cr"))
    }
}
