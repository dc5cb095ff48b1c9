import Testing

@testable import DropMateDataProtection

@Suite struct PasswordHasherTests {
    // Cheap parameters keep the suite fast; one test uses the production ones.
    let fast = PasswordHasher(logN: 10, r: 8, p: 1)

    @Test func theStandardHashIsSelfDescribingAndVerifies() throws {
        let encoded = try PasswordHasher.standard.hash("correct horse battery staple")
        #expect(encoded.hasPrefix("$scrypt$ln=15,r=8,p=1$"))
        let fields = encoded.split(separator: "$")
        #expect(fields.count == 4 && fields[2].count == 22 && fields[3].count == 43)
        #expect(PasswordHasher.standard.verify("correct horse battery staple", against: encoded))
        #expect(!PasswordHasher.standard.needsRehash(encoded))
    }

    @Test func wrongPasswordsAndTamperedHashesAreRejected() throws {
        let encoded = try fast.hash("s3cret-密码")
        #expect(fast.verify("s3cret-密码", against: encoded))
        #expect(!fast.verify("s3cret-密", against: encoded))
        #expect(!fast.verify("", against: encoded))
        var altered = Array(encoded)
        altered[altered.count - 3] = altered[altered.count - 3] == "A" ? "B" : "A"
        #expect(!fast.verify("s3cret-密码", against: String(altered)))
        #expect(!fast.verify("s3cret-密码", against: encoded.replacingOccurrences(of: "ln=10", with: "ln=11")))
        #expect(!fast.verify("x", against: "$2b$12$bcryptlookingstring"))
        #expect(!fast.verify("x", against: ""))
    }

    @Test func saltsMakeEachHashDifferent() throws {
        #expect(try fast.hash("same") != fast.hash("same"))
    }

    @Test func weakerOrForeignHashesNeedARehash() throws {
        let weak = try fast.hash("pw")
        #expect(PasswordHasher.standard.needsRehash(weak))
        #expect(!fast.needsRehash(weak))
        #expect(fast.needsRehash("not a hash"))
    }

    @Test func plantedHashesCannotDemandHugeWork() {
        #expect(
            !fast.verify(
                "pw", against: "$scrypt$ln=30,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"))
        #expect(throws: PasswordHashError.unsupportedParameters) { try PasswordHasher(logN: 25, r: 8, p: 1).hash("pw") }
        #expect(throws: PasswordHashError.unsupportedParameters) { try PasswordHasher(logN: 20, r: 8, p: 1).hash("pw") }
    }

    @Test func emptyAndOverlongPasswordsAreRefused() {
        #expect(throws: PasswordHashError.emptyPassword) { try fast.hash("") }
        #expect(throws: PasswordHashError.passwordTooLong) { try fast.hash(String(repeating: "a", count: 1025)) }
    }

    @Test func comparisonIsExact() {
        #expect(PasswordHasher.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!PasswordHasher.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!PasswordHasher.constantTimeEqual([1, 2], [1, 2, 3]))
    }
}
