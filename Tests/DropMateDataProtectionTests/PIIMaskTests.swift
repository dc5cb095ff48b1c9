import Testing

@testable import DropMateDataProtection

@Suite struct PIIMaskTests {
    @Test func phonesKeepTheirFirstThreeAndLastFourDigits() {
        #expect(PIIMask.phone("13812348000") == "138****8000")
        #expect(PIIMask.phone("+86 138-1234-8000") == "138****8000")
        #expect(PIIMask.phone("12345") == "****")
        #expect(PIIMask.phone("01088886666") == "010****6666")
        #expect(PIIMask.phone("") == "****")
    }

    @Test func addressesAreCutAfterTheirDistrict() {
        #expect(PIIMask.address("广东省深圳市南山区科技园南区深南大道1号") == "广东省深圳市南山区****")
        #expect(PIIMask.address("北京市朝阳区建国路88号") == "北京市朝阳区****")
        #expect(PIIMask.address("广西壮族自治区南宁市青秀区民族大道") == "广西壮族自治区南宁市青秀区****")
        #expect(PIIMask.address("浙江省杭州市西湖路1号") == "浙江省杭州市****")
        #expect(PIIMask.address("221B Baker Street") == "221****")
        #expect(PIIMask.address("abc") == "****")
    }

    @Test func redactKeepsOnlyWhatLeavesFourCharactersHidden() {
        #expect(PIIMask.redact("zhangsan@example.com", keepingFirst: 2, last: 4) == "zh****.com")
        #expect(PIIMask.redact("secret") == "****")
        #expect(PIIMask.redact("abcdef", keepingFirst: 3, last: 3) == "****")
        #expect(PIIMask.redact("张三丰先生", keepingFirst: 1) == "张****")
    }
}

@Suite struct PhonesInTextTests {
    @Test func mobileNumbersInFreeTextAreMaskedAndOtherDigitsKept() {
        #expect(PIIMask.phones(in: "· #1001 牛肉面 → 人民广场 13800138000 (待取件)") == "· #1001 牛肉面 → 人民广场 138****8000 (待取件)")
        #expect(PIIMask.phones(in: "call 13800138000,13900139000") == "call 138****8000,139****9000")
        #expect(
            PIIMask.phones(in: "order 123456789012 and 12800138000") == "order 123456789012 and 12800138000",
            "not a mobile number")
        #expect(PIIMask.phones(in: "+8613800138000") == "+86138****8000")
    }
}
