import Testing

@testable import DropMateDataProtection

@Suite struct SecureRandomTests {
    @Test func drawsAcrossRefillsNeverRepeatANonce() {
        // A pool of 32 bytes refills every two 12-byte nonces, and must not hand the leftover 8 bytes out again.
        let random = SecureRandom(refillSize: 32)
        var seen = Set<[UInt8]>()
        for _ in 0..<5_000 {
            let nonce = random.bytes(12)
            #expect(nonce.count == 12)
            seen.insert(nonce)
        }
        #expect(seen.count == 5_000)
    }

    @Test func requestsLargerThanThePoolComeStraightFromTheKernel() {
        let random = SecureRandom(refillSize: 16)
        let large = random.bytes(1_000)
        #expect(large.count == 1_000)
        // 1,000 random bytes take far more than a handful of distinct values, and are not one repeated pattern.
        #expect(Set(large).count > 200)
        #expect(random.bytes(1_000) != large)
    }

    @Test func bytesLookUniform() {
        // 256 KiB through the shared pool: every byte value turns up, none more than twice as often as average.
        var counts = [Int](repeating: 0, count: 256)
        for _ in 0..<(256 * 1024 / 16) {
            for byte in SecureRandom.shared.bytes(16) { counts[Int(byte)] += 1 }
        }
        #expect(counts.min()! > 0)
        #expect(counts.max()! < 2 * 1024)
    }

    @Test func concurrentCallersGetDifferentBytes() async {
        let random = SecureRandom(refillSize: 64)
        let draws = await withTaskGroup(of: [[UInt8]].self) { group in
            for _ in 0..<8 { group.addTask { (0..<500).map { _ in random.bytes(16) } } }
            return await group.reduce(into: [[UInt8]]()) { $0 += $1 }
        }
        #expect(draws.count == 4_000)
        #expect(Set(draws).count == 4_000)
    }
}
