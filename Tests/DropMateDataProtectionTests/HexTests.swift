import DropMateDataProtection
import Testing

@Suite struct HexTests {
    @Test func writesTwoLowerCaseDigitsPerByte() {
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.encode([0x00, 0x0f, 0x10, 0xab, 0xff]) == "000f10abff")
    }

    @Test func agreesWithFormattingEveryByte() {
        let bytes = (0...255).map(UInt8.init)
        let expected = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        #expect(Hex.encode(bytes) == expected)
        #expect(Hex.encode(bytes.prefix(3)) == "000102")
    }
}
