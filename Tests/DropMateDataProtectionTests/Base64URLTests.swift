import Foundation
import Testing

@testable import DropMateDataProtection

@Suite struct Base64URLTests {
    @Test func encodesAsRFC4648URLSafeWithoutPaddingForEveryLength() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
                    of: "=", with: "")
            #expect(Base64URL.encode(bytes) == expected, "length \(length)")
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
    }

    @Test func knownVectors() {
        #expect(Base64URL.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64URL.encode(Array("fooba".utf8)) == "Zm9vYmE")
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
    }

    @Test func decodingRefusesWhatIsNotUnpaddedURLSafeBase64() {
        #expect(Base64URL.decode("-_8") == [0xfb, 0xff])
        for text in ["+/8", "Zm9vYmE=", "Zm9vY", "Zm9v YmFy", "Zm9v\nYmFy", "Zm9vYmFy!"] {
            #expect(Base64URL.decode(text) == nil, "\(text)")
        }
    }

    @Test func standardUnpaddedRoundTripsAndRefusesPadding() {
        let bytes: [UInt8] = [0xfb, 0xff, 0x00, 0x10]
        #expect(Base64URL.standardUnpadded(bytes) == "+/8AEA")
        #expect(Base64URL.decodeStandardUnpadded("+/8AEA") == bytes)
        #expect(Base64URL.decodeStandardUnpadded("+/8AEA==") == nil)
        #expect(Base64URL.decodeStandardUnpadded("-_8AEA") == nil)
    }
}
