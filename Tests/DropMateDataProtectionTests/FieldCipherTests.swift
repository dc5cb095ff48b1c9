import Crypto
import Foundation
import Testing

@testable import DropMateDataProtection

@Suite struct FieldCipherTests {
    static let k1 = Data(repeating: 1, count: 32).base64EncodedString()
    static let k2 = Data(repeating: 2, count: 32).base64EncodedString()
    let old = FieldCipher(keyRing: try! PIIKeyRing(parsing: "k1:\(k1)"))
    let rotated = FieldCipher(keyRing: try! PIIKeyRing(parsing: "k2:\(k2), k1:\(k1)"))

    static let place = "orders.data#1001"

    @Test func fieldsRoundTripUnderTheCurrentKeyWithFreshNonces() throws {
        let a = try rotated.encrypt("广东省深圳市南山区科技园 1 号", context: Self.place)
        let b = try rotated.encrypt("广东省深圳市南山区科技园 1 号", context: Self.place)
        #expect(a.hasPrefix("v2.k2."))
        #expect(a != b)
        #expect(try rotated.decrypt(a, context: Self.place) == "广东省深圳市南山区科技园 1 号")
        #expect(try rotated.decrypt(try rotated.encrypt("", context: Self.place), context: Self.place) == "")
    }

    @Test func aValueOpensOnlyInTheColumnAndRowItWasSealedFor() throws {
        let sealed = try rotated.encrypt("13812348000", context: "orders.data#1001")
        for elsewhere in [
            "orders.data#1002", "orders.data", "couriers.phone", "orders.data#1001 ", "", "orders.data#10011",
        ] {
            #expect(throws: FieldCipherError.authenticationFailed(keyID: "k2"), "\(elsewhere)") {
                try rotated.decrypt(sealed, context: elsewhere)
            }
        }
        #expect(try rotated.decrypt(sealed, context: "orders.data#1001") == "13812348000")
    }

    @Test func anyAlteredByteOrHeaderIsDetected() throws {
        let sealed = try rotated.encrypt("13812348000", context: Self.place)
        let parts = sealed.split(separator: ".").map(String.init)
        var payload = Array(parts[2])
        for index in [0, payload.count / 2, payload.count - 2] {
            var altered = payload
            altered[index] = altered[index] == "A" ? "B" : "A"
            #expect(throws: FieldCipherError.self) {
                try rotated.decrypt("v2.k2.\(String(altered))", context: Self.place)
            }
        }
        payload.removeLast(4)
        #expect(throws: FieldCipherError.self) { try rotated.decrypt("v2.k2.\(String(payload))", context: Self.place) }
        // The same bytes presented under the other key id, or as the unbound old format, fail: the header is authenticated.
        #expect(throws: FieldCipherError.authenticationFailed(keyID: "k1")) {
            try rotated.decrypt("v2.k1.\(parts[2])", context: Self.place)
        }
        #expect(throws: FieldCipherError.authenticationFailed(keyID: "k2")) {
            try rotated.decrypt("v1.k2.\(parts[2])", context: Self.place)
        }
        #expect(throws: FieldCipherError.malformed) { try rotated.decrypt("13812348000", context: Self.place) }
        #expect(throws: FieldCipherError.unsupportedVersion("v9")) {
            try rotated.decrypt("v9.k2.\(parts[2])", context: Self.place)
        }
    }

    @Test func unknownKeyIDsAreNamedInTheError() throws {
        let sealed = try rotated.encrypt("13812348000", context: Self.place)
        #expect(throws: FieldCipherError.unknownKeyID("k2")) { try old.decrypt(sealed, context: Self.place) }
    }

    @Test func rotationReencryptsOldKeysAndTheUnboundFormatAndLeavesCurrentOnesAlone() throws {
        for legacy in [
            try old.encrypt("13812348000", context: Self.place), try old.encryptLegacy("13812348000"),
            try rotated.encryptLegacy("13812348000"),
        ] {
            // Values sealed before contexts (v1) still open, wherever they are read.
            #expect(try rotated.decrypt(legacy, context: Self.place) == "13812348000")
            #expect(try rotated.needsRotation(legacy), "\(legacy.prefix(6))")
            let fresh = try rotated.reencrypt(legacy, context: Self.place)
            #expect(fresh.hasPrefix("v2.k2."))
            #expect(try !rotated.needsRotation(fresh))
            #expect(try rotated.reencrypt(fresh, context: Self.place) == fresh)
            #expect(try rotated.decrypt(fresh, context: Self.place) == "13812348000")
            #expect(throws: FieldCipherError.self) { try rotated.decrypt(fresh, context: "orders.data#1002") }
        }
    }

    @Test func lookupHashesAreStableAcrossSpellingsAndKeyedByTheRing() {
        let hash = rotated.lookupHash("13812348000", .phone)
        #expect(hash.hasPrefix("k2."))
        for spelling in ["138 1234 8000", "+86 138-1234-8000", "008613812348000", "  13812348000 "] {
            #expect(rotated.lookupHash(spelling, .phone) == hash)
        }
        #expect(rotated.lookupHash("13812348001", .phone) != hash)
        #expect(old.lookupHash("13812348000", .phone) != hash)
        #expect(rotated.lookupHashCandidates("13812348000", .phone) == [hash, old.lookupHash("13812348000", .phone)])
        #expect(rotated.lookupHashNeedsRotation(old.lookupHash("13812348000", .phone)))
        #expect(!rotated.lookupHashNeedsRotation(hash))
        #expect(rotated.lookupHash("Ｚhang  San", .text) == rotated.lookupHash("zhang san", .text))
        // Not a bare SHA-256 or an HMAC under the encryption key itself.
        #expect(!hash.contains(SHA256.hash(data: Array("13812348000".utf8)).description))
    }

    @Test func keyRingConfigurationReportsEveryProblemWithoutKeyMaterial() {
        #expect(throws: PIIKeyRing.ConfigurationError.self) { try PIIKeyRing.fromEnvironment([:]) }
        do {
            _ = try PIIKeyRing(parsing: "k2:\(Self.k2),k2:\(Self.k1),bad id:\(Self.k1),k3:c2hvcnQ=,nocolon")
            Issue.record("expected problems")
        } catch {
            #expect(error.problems.count == 4)
            #expect(!error.description.contains(Self.k1) && !error.description.contains("c2hvcnQ"))
        }
        let ring = try? PIIKeyRing.fromEnvironment(["DROPMATE_PII_KEYS": "k2:\(Self.k2),k1:\(Self.k1)"])
        #expect(ring?.currentKeyID == "k2")
        #expect(ring?.keyIDs == ["k2", "k1"])
        #expect(ring.map { "\($0)" }?.contains(Self.k2) == false)
    }
}
