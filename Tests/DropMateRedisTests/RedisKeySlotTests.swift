import Testing

@testable import DropMateRedis

/// What a Redis Cluster client must compute and parse without a server (the values are what `CLUSTER KEYSLOT`
/// answers on Redis 7.0; RedisClusterTests checks many more against a live cluster).
@Suite struct RedisKeySlotTests {
    @Test func slotsAreCRC16OfTheKeyOrOfItsHashTag() {
        #expect(RedisKeySlot.crc16(Array("123456789".utf8)) == 0x31C3, "the check value of CRC16/XMODEM")
        #expect(RedisKeySlot.of("foo") == 12182)
        #expect(RedisKeySlot.of("bar") == 5061)
        #expect(RedisKeySlot.of("123456789") == 12739)
        #expect(RedisKeySlot.of("{user1000}.following") == 3443 && RedisKeySlot.of("{user1000}.followers") == 3443)
        #expect(RedisKeySlot.of("foo{}{bar}") == 8363, "an empty tag: the whole key is hashed")
        #expect(
            RedisKeySlot.of("foo{{bar}}zap") == 4015, "the tag runs from the first { to the first } after it: '{bar'")
        #expect(RedisKeySlot.of("foo{bar}{zap}") == 5061, "only the first tag counts")
        #expect(RedisKeySlot.of("dm:{o_abc}:lock") == 38)
        #expect(RedisKeySlot.of("{dm:jobs}") == 3160 && RedisKeySlot.of("{dm:jobs}:delayed") == 3160)
    }

    @Test func aCustomersKeysShareOneSlot() {
        let customer = "oX9_c2Hk3-abcDEF"
        let keys = ["lock", "state", "rate:123", "epoch", "msg:plain:oX9:42"].map { "dm:{\(customer)}:\($0)" }
        #expect(Set(keys.map { RedisKeySlot.of($0) }).count == 1)
    }

    @Test func commandsAreRoutedByWhereTheyKeepTheirKey() {
        func slot(_ words: String...) -> Int? { RedisKeySlot.of(command: words.map { Array($0.utf8) }) }
        #expect(slot("GET", "foo") == 12182)
        #expect(slot("SET", "bar", "1", "NX") == 5061)
        #expect(slot("EVALSHA", "abc", "2", "foo", "foo:x", "arg") == 12182)
        #expect(slot("EVAL", "return 1", "0") == nil, "a script without keys goes to any node")
        #expect(slot("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "BLOCK", "10", "STREAMS", "bar", ">") == 5061)
        #expect(slot("XREAD", "COUNT", "1", "streams", "foo", "$") == 12182)
        #expect(slot("XGROUP", "CREATE", "bar", "workers", "0", "MKSTREAM") == 5061)
        #expect(slot("PING") == nil && slot("CLUSTER", "SLOTS") == nil && slot("INFO", "replication") == nil)
    }

    @Test func redirectsAreRead() {
        #expect(
            RedisRedirect("MOVED 3999 127.0.0.1:6381")
                == .moved(slot: 3999, to: RedisEndpoint(host: "127.0.0.1", port: 6381)))
        #expect(
            RedisRedirect("ASK 3999 redis-2.internal:6379")
                == .ask(to: RedisEndpoint(host: "redis-2.internal", port: 6379)))
        #expect(RedisRedirect("MOVED 12 [::1]:7000") == .moved(slot: 12, to: RedisEndpoint(host: "::1", port: 7000)))
        #expect(RedisRedirect("TRYAGAIN Multiple keys request during rehashing of slot") == .retryLater)
        #expect(RedisRedirect("CLUSTERDOWN The cluster is down") == .retryLater)
        #expect(RedisRedirect("ERR value is not an integer or out of range") == nil)
        #expect(
            RedisRedirect("CROSSSLOT Keys in request don't hash to the same slot") == nil,
            "a bug in the caller, not something to retry")
        #expect(RedisRedirect("MOVED nonsense") == nil)
    }

    @Test func clusterSlotsRepliesBecomeASlotMap() throws {
        func node(_ host: String, _ port: Int64) -> RedisValue {
            .array([.bulk(Array(host.utf8)), .integer(port), .bulk(Array("id".utf8))])
        }
        let reply = RedisValue.array([
            .array([.integer(0), .integer(5460), node("127.0.0.1", 7000), node("127.0.0.1", 7003)]),
            .array([.integer(5461), .integer(16383), node("", 7001)]),
        ])
        let asked = RedisEndpoint(host: "10.0.0.9", port: 7001)
        let map = try RedisClusterRouter.parseSlots(reply, askedAt: asked)
        #expect(map.count == 2)
        #expect(
            map[0].range == 0...5460 && map[0].master == RedisEndpoint(host: "127.0.0.1", port: 7000),
            "the master, not its replica")
        #expect(
            map[1].master == RedisEndpoint(host: "10.0.0.9", port: 7001), "an empty host is the node that was asked")
        #expect(throws: RedisError.self) {
            try RedisClusterRouter.parseSlots(
                .array([.array([.integer(5), .integer(99999), node("h", 1)])]), askedAt: asked)
        }
    }

    @Test func clusterURLsListTheirNodes() throws {
        let cluster = try RedisConfiguration(
            url: "rediss://default:s3cr%40t@node-1.example.com:7000,node-2.example.com:7001,10.0.0.3")
        #expect(cluster.cluster && cluster.tls && cluster.password == "s3cr@t" && cluster.username == "default")
        #expect(
            cluster.seeds == [
                RedisEndpoint(host: "node-1.example.com", port: 7000),
                RedisEndpoint(host: "node-2.example.com", port: 7001),
                RedisEndpoint(host: "10.0.0.3", port: 6379),
            ])
        #expect(cluster.host == "node-1.example.com" && cluster.port == 7000)
        let announcedByAddress = cluster.node(RedisEndpoint(host: "10.0.0.7", port: 7002))
        #expect(
            !announcedByAddress.cluster && announcedByAddress.host == "10.0.0.7"
                && announcedByAddress.password == "s3cr@t")
        #expect(
            announcedByAddress.tlsServerName == "node-1.example.com",
            "a node announced by its address is checked against the URL's name")
        let one = try RedisConfiguration(url: "redis://127.0.0.1:6391")
        #expect(!one.cluster && one.seeds.count == 1, "a single node stays the default")
        #expect(
            try RedisConfiguration(url: "rediss://clustercfg.example.com:6379", cluster: true).cluster,
            "REDIS_CLUSTER=1 with one configuration endpoint")
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://a:1,b:2/3") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://a:1,b:2", cluster: false) }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://a:1,") }
    }
}
